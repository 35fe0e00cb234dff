/**
 * Settings (.env.defaults / .env.local, deployed as DeviceScript settings) turned into one typed,
 * validated config, by the table in settings.ts, the only list of settings. A bad value is logged
 * clearly and replaced by its default: the device keeps running.
 */
import * as ds from "@devicescript/core"
import { SESSION_DEFAULTS, SessionOptions } from "./mqtt/options"
import { boardArch, defaultDeviceName, receiveReserveBytes } from "./platform"
import { K_BOOL, K_INT, K_LEVEL, SESSION, Setting, settingsTable } from "./settings"
import { DECIMAL_MAX_DIGITS, parseSignedDecimal } from "./decimal"
import { readStoredSetting } from "./settings-store"

/** The fields of the settings table (settings.ts), typed. */
export interface Config {
    host: string
    port: number
    tls: boolean
    /** MQTT_HOSTS: brokers tried in turn (mqtt/brokers.ts); "" for the one above. */
    hosts: string
    /** MQTT_SHUFFLE: this device's own order of `hosts`, to spread a fleet over the nodes. */
    shuffle: boolean
    username: string
    /** Never logged. */
    password: string
    deviceName: string
    prefix: string
    periodMs: number
    keepAliveS: number
    retryBaseMs: number
    retryCapMs: number
    queueMaxCount: number
    queueMaxBytes: number
    windowBytes: number
    maxInflight: number
    haDiscovery: boolean
    diagPeriodMs: number
    /** Reboot after this many seconds without a network; -1: the board's default (platform.ts). */
    noNetRebootS: number
    /** The SENSORS setting, parsed by sensors/registry. */
    sensors: string
    /** SIM_ARCH: the simulator's board profile (platform.ts boardArch). */
    simArch: string
    /** Not a setting: the archId the firmware acts on (boardArch). */
    arch: string
}

/** One setting, validated by its kind; the warning names the key, never a secret's value (strings are not logged). */
async function readOne(s: Setting, dflt: any): Promise<any> {
    const kind = s.kind & ~SESSION
    // A setting that cannot be read falls back to its default: config never stops the device.
    const v0 = await readStoredSetting(s.key, dflt)
    if (kind === K_INT) {
        const v = typeof v0 === "number" ? v0 : parseSignedDecimal(("" + v0).trim(), DECIMAL_MAX_DIGITS)
        if (isNaN(v) || v < s.min || v > s.max || Math.round(v) !== v) {
            console.warn(`config: ${s.key}=${v0} is not an integer in ${s.min}..${s.max}; using ${dflt}`)
            return dflt
        }
        return v
    }
    const v = v0 === undefined || v0 === null ? "" + dflt : "" + v0
    if (kind === K_BOOL) return dflt ? v !== "false" : v === "true"
    if (kind === K_LEVEL && (!validLevel(v) || v.length > s.max)) {
        console.warn(`config: ${s.key}='${v}' is not a topic level of 1..${s.max} characters; using '${dflt}'`)
        return dflt
    }
    return v
}

/** A topic level may not be empty nor contain '/', '+', '#' or NUL. */
function validLevel(v: string): boolean {
    for (let i = 0; i < v.length; i++) {
        const c = v.charAt(i)
        if (c === "/" || c === "+" || c === "#" || c === "\u0000") return false
    }
    return v.length > 0
}

export async function readConfig(): Promise<Config> {
    const c: any = {}
    for (const s of settingsTable()) {
        let dflt = s.dflt
        // Defaults computed at boot (null in the table).
        if (s.key === "DEVICE_NAME") dflt = defaultDeviceName(ds.deviceIdentifier("self"))
        else if (s.key === "QUEUE_BYTES") dflt = queueBytesFor(c.sensors, c.arch)
        else if (s.key === "QUEUE_MAX")
            dflt = Math.min(
                SESSION_DEFAULTS.queueMaxCount,
                Math.floor(queueBytesFor(c.sensors, c.arch) / QUEUE_BYTES_PER_SLOT),
            )
        c[s.field] = await readOne(s, dflt)
        if (s.key === "SIM_ARCH") c.arch = boardArch(ds._dcfgString("archId"), c.simArch)
    }
    return c as Config
}

/**
 * The session options: SESSION_DEFAULTS, with every SESSION row of the settings table from the
 * config. The caller adds what is not a setting (client id, password bytes, Will, birth, brokers).
 */
export function sessionOptions(c: Config): SessionOptions {
    const o: any = Object.assign({}, SESSION_DEFAULTS)
    const from: any = c
    for (const s of settingsTable()) if (s.kind & SESSION) o[s.field] = from[s.field]
    return o as SessionOptions
}

/** Sensors beyond this many take heap from the queue's default. */
const SENSORS_IN_BUDGET = 4
/** Heap each further sensor driver needs, taken from the default queue (13 drivers ran out at 12 KB). */
const QUEUE_BYTES_PER_EXTRA_SENSOR = 768
const QUEUE_BYTES_MIN = 4096
/** About one reading per this many queue bytes: the count bound binds with the byte bound. */
const QUEUE_BYTES_PER_SLOT = 128

/**
 * The default QUEUE_BYTES for a SENSORS setting ("" is the Jacdac sensors, two drivers' worth) on a
 * board (`arch`: less the heap its receive window needs, platform.ts receiveReserveBytes).
 */
export function queueBytesFor(sensors: string, arch: string): number {
    const n = sensors === "" ? 2 : sensors.split(",").length
    const extra = n > SENSORS_IN_BUDGET ? n - SENSORS_IN_BUDGET : 0
    return Math.max(
        QUEUE_BYTES_MIN,
        SESSION_DEFAULTS.queueMaxBytes - extra * QUEUE_BYTES_PER_EXTRA_SENSOR - receiveReserveBytes(arch),
    )
}

/** For the boot log: everything but the password. */
export function describeConfig(c: Config): string {
    // Few substitutions per template: the DeviceScript compiler caps format arguments.
    const url = c.hosts ? c.hosts : `${c.tls ? "mqtts" : "mqtt"}://${c.host}:${c.port}`
    const who = c.username ? " as " + c.username : ""
    return (
        "broker " +
        url +
        who +
        `, device ${c.deviceName}, prefix ${c.prefix}` +
        `, period ${c.periodMs} ms, keepalive ${c.keepAliveS} s`
    )
}
