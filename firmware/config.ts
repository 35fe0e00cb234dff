/**
 * Settings (.env.defaults / .env.local, deployed as DeviceScript settings)
 * turned into one typed, validated config. A bad value is logged clearly and
 * replaced by its default: the device keeps running.
 */
import * as ds from "@devicescript/core"
import { readSetting } from "@devicescript/settings"
import { defaultDeviceName } from "./platform"

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
    queueMax: number
    queueBytes: number
    windowBytes: number
    maxInflight: number
    haDiscovery: boolean
    diagPeriodMs: number
    /** Reboot after this many seconds without a network; -1: the board's default (platform.ts). */
    noNetRebootS: number
    /** The SENSORS setting, parsed by sensors/registry. */
    sensors: string
}

export const CONFIG_DEFAULTS: Config = {
    host: "127.0.0.1",
    port: 1883,
    tls: false,
    hosts: "",
    shuffle: false,
    username: "",
    password: "",
    deviceName: "",
    prefix: "devs",
    periodMs: 5000,
    keepAliveS: 30,
    retryBaseMs: 1000,
    retryCapMs: 30000,
    queueMax: 80,
    queueBytes: 10240,
    windowBytes: 1400,
    maxInflight: 32,
    haDiscovery: true,
    diagPeriodMs: 60000,
    noNetRebootS: -1,
    sensors: "",
}

import { PERIOD_MAX_MS, PERIOD_MIN_MS } from "./telemetry/downlink"

/** A setting that cannot be read (corrupt, bad key) falls back to its default: config never stops the device. */
async function raw(key: string, dflt: any): Promise<any> {
    try {
        return await readSetting<any>(key, dflt)
    } catch (e) {
        console.warn(`config: cannot read ${key}: ${(e as Error).message}; using the default`)
        return dflt
    }
}

async function str(key: string, dflt: string): Promise<string> {
    const v = await raw(key, dflt)
    return v === undefined || v === null ? dflt : "" + v
}

async function int(key: string, dflt: number, min: number, max: number): Promise<number> {
    const v0 = await raw(key, dflt)
    const v = typeof v0 === "number" ? v0 : parseInt("" + v0)
    if (isNaN(v) || v < min || v > max || Math.round(v) !== v) {
        console.warn(`config: ${key}=${v0} is not an integer in ${min}..${max}; using ${dflt}`)
        return dflt
    }
    return v
}

/** A topic level may not contain '/', '+', '#' or NUL. */
function safeLevel(key: string, v: string, dflt: string): string {
    let ok = v.length > 0
    for (let i = 0; i < v.length && ok; i++) {
        const c = v.charAt(i)
        if (c === "/" || c === "+" || c === "#" || c === "\u0000") ok = false
    }
    if (ok) return v
    console.warn(`config: ${key}='${v}' is not a valid topic level; using '${dflt}'`)
    return dflt
}

export async function readConfig(): Promise<Config> {
    const d = CONFIG_DEFAULTS
    const defaultName = defaultDeviceName(ds.deviceIdentifier("self"))
    const c: Config = {
        host: await str("MQTT_HOST", d.host),
        port: await int("MQTT_PORT", d.port, 1, 65535),
        tls: (await str("MQTT_TLS", "false")) === "true",
        hosts: await str("MQTT_HOSTS", d.hosts),
        shuffle: (await str("MQTT_SHUFFLE", "false")) === "true",
        username: await str("MQTT_USER", d.username),
        password: await str("MQTT_PASS", d.password),
        deviceName: safeLevel("DEVICE_NAME", await str("DEVICE_NAME", defaultName), defaultName),
        prefix: d.prefix,
        periodMs: await int("PERIOD_MS", d.periodMs, PERIOD_MIN_MS, PERIOD_MAX_MS),
        keepAliveS: await int("KEEPALIVE_S", d.keepAliveS, 1, 65535),
        retryBaseMs: await int("RETRY_BASE_MS", d.retryBaseMs, 10, 3600000),
        retryCapMs: await int("RETRY_CAP_MS", d.retryCapMs, 10, 3600000),
        queueMax: 0,
        queueBytes: 0,
        windowBytes: await int("WINDOW_BYTES", d.windowBytes, 256, 16384),
        maxInflight: await int("MAX_INFLIGHT", d.maxInflight, 1, 64),
        haDiscovery: (await str("HA_DISCOVERY", "true")) !== "false",
        diagPeriodMs: await int("DIAG_EVERY_MS", d.diagPeriodMs, 1000, 86400000),
        noNetRebootS: await int("NONET_RESET_S", d.noNetRebootS, -1, 86400),
        sensors: await str("SENSORS", d.sensors),
    }
    c.prefix = safeLevel("TOPIC_PREFIX", await str("TOPIC_PREFIX", d.prefix), d.prefix)
    // The queue takes what the sensor drivers leave of the heap (README "Memory and work budget").
    const qb = queueBytesFor(c.sensors)
    c.queueBytes = await int("QUEUE_BYTES", qb, 256, 32768)
    c.queueMax = await int("QUEUE_MAX", Math.min(d.queueMax, Math.floor(qb / QUEUE_BYTES_PER_SLOT)), 1, 10000)
    return c
}

/** Sensors beyond this many take heap from the queue's default. */
const SENSORS_IN_BUDGET = 4
/** Heap each further sensor driver needs, taken from the default queue (13 drivers ran out at 12 KB). */
const QUEUE_BYTES_PER_EXTRA_SENSOR = 768
const QUEUE_BYTES_MIN = 4096
/** About one reading per this many queue bytes: the count bound binds with the byte bound. */
const QUEUE_BYTES_PER_SLOT = 128

/** The default QUEUE_BYTES for a SENSORS setting ("" is the Jacdac sensors, two drivers' worth). */
export function queueBytesFor(sensors: string): number {
    const n = sensors === "" ? 2 : sensors.split(",").length
    const extra = n > SENSORS_IN_BUDGET ? n - SENSORS_IN_BUDGET : 0
    return Math.max(QUEUE_BYTES_MIN, CONFIG_DEFAULTS.queueBytes - extra * QUEUE_BYTES_PER_EXTRA_SENSOR)
}

/** For the boot log: everything but the password. */
export function describeConfig(c: Config): string {
    // Few substitutions per template: the DeviceScript compiler caps format arguments.
    const url = c.hosts ? c.hosts : `${c.tls ? "mqtts" : "mqtt"}://${c.host}:${c.port}`
    const who = c.username ? " as " + c.username : ""
    return "broker " + url + who + `, device ${c.deviceName}, prefix ${c.prefix}` + `, period ${c.periodMs} ms, keepalive ${c.keepAliveS} s`
}
