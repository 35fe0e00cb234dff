/**
 * The topic contract (README "Topics"): everything a device publishes lives
 * under `<prefix>/<device>/`; Home Assistant discovery under `homeassistant/`.
 */
export interface Topics {
    telemetry: string
    status: string
    diagnostics: string
    log: string
    setPeriod: string
    /** Any message here publishes discovery, status and diagnostics again (status-keeper.ts). */
    rebirth: string
    /** A planned stop / reboot of the boot named in the payload (commands.ts). */
    stop: string
    reboot: string
    /** Time sync (firmware/time/): the device asks, a host time responder answers. */
    timeReq: string
    timeResp: string
}

export function topicsFor(prefix: string, device: string): Topics {
    const base = prefix + "/" + device + "/"
    return {
        telemetry: base + "telemetry",
        status: base + "status",
        diagnostics: base + "diagnostics",
        log: base + "log",
        setPeriod: base + "set/period_ms",
        rebirth: base + "cmd/rebirth",
        stop: base + "cmd/stop",
        reboot: base + "cmd/reboot",
        timeReq: base + "time/req",
        timeResp: base + "time/resp",
    }
}

/** The one subscription for every `<prefix>/<device>/cmd/<name>` (commands.ts): a filter, not a topic. */
export function commandsFilter(prefix: string, device: string): string {
    return prefix + "/" + device + "/cmd/+"
}

export const HA_PREFIX = "homeassistant"
/** Home Assistant's birth and last will: `online` after it (re)starts. */
export const HA_STATUS_TOPIC = HA_PREFIX + "/status"

export function discoveryTopic(device: string, key: string): string {
    return HA_PREFIX + "/sensor/" + device + "/" + key + "/config"
}

export const STATUS_ONLINE = "online"
export const STATUS_OFFLINE = "offline"

/** Wrong `offline`s on its status topic a connected device answers per minute (status-keeper.ts). */
export const CORRECTIONS_PER_MINUTE = 3
