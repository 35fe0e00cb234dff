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
        timeReq: base + "time/req",
        timeResp: base + "time/resp",
    }
}

export const HA_PREFIX = "homeassistant"

export function discoveryTopic(device: string, key: string): string {
    return HA_PREFIX + "/sensor/" + device + "/" + key + "/config"
}

export const STATUS_ONLINE = "online"
export const STATUS_OFFLINE = "offline"
