/**
 * Every device setting, once: its DeviceScript key (at most 13 characters), the Config field it
 * fills, its default and its bounds. config.ts reads settings through this table only, and the
 * session options are derived from it (rows marked SESSION fill the SessionOptions field of the
 * same name). Tests check .env.defaults and the README configuration table against it.
 *
 * Defaults of MQTT settings live in SESSION_DEFAULTS (mqtt/options.ts) and are referenced here;
 * null marks a default computed at boot (config.ts). Portable: no DeviceScript imports. The table is built when asked for (at boot, once), so it
 * holds no heap after the configuration is read.
 */
import { SESSION_DEFAULTS } from "./mqtt/options"
import { PERIOD_MAX_MS, PERIOD_MIN_MS } from "./telemetry/downlink"

/** Any text. */
export const K_STR = 1
/** An integer in min..max; anything else is logged and replaced by the default. */
export const K_INT = 2
/** "true" / "false"; a default of true is turned off only by "false", a default of false on only by "true". */
export const K_BOOL = 3
/** A topic level: not empty, no '/', '+', '#' or NUL, at most `max` characters. */
export const K_LEVEL = 4
/** Flag: the value is also the SessionOptions field of the same name. */
export const SESSION = 16

export interface Setting {
    key: string
    field: string
    /** K_* | SESSION */
    kind: number
    /** null: computed at boot (config.ts: from the device id, or from SENSORS). */
    dflt: any
    min: number
    max: number
}

function row(key: string, field: string, kind: number, dflt: any, min = 0, max = 0): Setting {
    return { key, field, kind, dflt, min, max }
}

/** In reading order: SENSORS comes before the queue bounds, whose defaults follow from it. */
export function settingsTable(): Setting[] {
    const d = SESSION_DEFAULTS
    return [
        row("MQTT_HOST", "host", K_STR | SESSION, d.host),
        row("MQTT_PORT", "port", K_INT | SESSION, d.port, 1, 65535),
        row("MQTT_TLS", "tls", K_BOOL | SESSION, d.tls),
        row("MQTT_HOSTS", "hosts", K_STR, ""),
        row("MQTT_SHUFFLE", "shuffle", K_BOOL, false),
        row("MQTT_USER", "username", K_STR | SESSION, d.username),
        // Never logged.
        row("MQTT_PASS", "password", K_STR, ""),
        // Each is in every topic and, the name, several times in each of up to 29 discovery configs: with every
        // sensor configured a 96-character name ran out of heap (issue 22), and 64 + 32 did once in 15 runs
        // (under the full test suite's load); 48 + 24 keeps a margin below that.
        row("DEVICE_NAME", "deviceName", K_LEVEL, null, 1, 48),
        row("TOPIC_PREFIX", "prefix", K_LEVEL, "devs", 1, 24),
        row("PERIOD_MS", "periodMs", K_INT, 5000, PERIOD_MIN_MS, PERIOD_MAX_MS),
        row("KEEPALIVE_S", "keepAliveS", K_INT | SESSION, d.keepAliveS, 1, 65535),
        row("RETRY_BASE_MS", "retryBaseMs", K_INT | SESSION, d.retryBaseMs, 10, 3600000),
        row("RETRY_CAP_MS", "retryCapMs", K_INT | SESSION, d.retryCapMs, 10, 3600000),
        row("SENSORS", "sensors", K_STR, ""),
        // The simulator's board profile (platform.ts boardArch); ignored on a board. Before the queue: its default follows.
        row("SIM_ARCH", "simArch", K_STR, ""),
        row("QUEUE_BYTES", "queueMaxBytes", K_INT | SESSION, null, 256, 32768),
        row("QUEUE_MAX", "queueMaxCount", K_INT | SESSION, null, 1, 10000),
        row("WINDOW_BYTES", "windowBytes", K_INT | SESSION, d.windowBytes, 256, 16384),
        row("MAX_INFLIGHT", "maxInflight", K_INT | SESSION, d.maxInflight, 1, 64),
        // -1: the board's own default (platform.ts noNetworkRebootS).
        row("NONET_RESET_S", "noNetRebootS", K_INT, -1, -1, 86400),
        row("DIAG_EVERY_MS", "diagPeriodMs", K_INT, 60000, 1000, 86400000),
        row("HA_DISCOVERY", "haDiscovery", K_BOOL, true),
    ]
}
