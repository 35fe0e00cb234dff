/**
 * Home Assistant MQTT discovery configs (one retained message per entity).
 * Fields per https://www.home-assistant.io/integrations/sensor.mqtt/ :
 * unique_id, default_entity_id, device, state_topic + value_template, unit_of_measurement,
 * device_class, state_class, availability_topic, expire_after, entity_category.
 * `default_entity_id` replaced `object_id` (deprecated in Home Assistant 2025.10, gone from the
 * 2026 schema); the schema facts relied on are a table in test/support/ha-schema.ts.
 * Portable: the Node tests check every field.
 */
import { quantity } from "./quantities"
import { discoveryTopic, STATUS_OFFLINE, STATUS_ONLINE, Topics } from "./topics"

export interface DiscoveryMessage {
    topic: string
    /** JSON config; "" to remove the entity (empty retained message). */
    payload: string
}

export interface DeviceInfo {
    /** DEVICE_NAME: the display name, and the state topics' level (topicsFor). */
    name: string
    /** The runtime's device id (ds.deviceIdentifier("self")): the same on every boot, unique per board. */
    id: string
    model: string
    swVersion: string
}

/**
 * Diagnostic entities, read from the diagnostics topic. State classes per Home Assistant's sensor
 * documentation (test/support/ha-schema.ts holds the facts relied on): uptime and the two
 * counters only grow during a boot and restart at 0 with the next one, which is what
 * `total_increasing` means (a decrease is a new cycle, not a negative change).
 */
export const DIAGNOSTIC_ENTITIES = [
    {
        key: "uptime",
        name: "Uptime",
        unit: "s",
        deviceClass: "duration",
        stateClass: "total_increasing",
        template: "{{ (value_json.uptime_ms / 1000) | round(0) }}",
    },
    {
        key: "reconnects",
        name: "MQTT reconnects",
        unit: "",
        deviceClass: "",
        stateClass: "total_increasing",
        template: "{{ value_json.mqtt.reconnects }}",
    },
    {
        key: "dropped",
        name: "Dropped messages",
        unit: "",
        deviceClass: "",
        stateClass: "total_increasing",
        template: "{{ value_json.mqtt.dropped }}",
    },
    {
        key: "rtt",
        name: "MQTT round trip",
        unit: "ms",
        deviceClass: "duration",
        stateClass: "measurement",
        template: "{{ value_json.mqtt.rtt_ms }}",
    },
]

/**
 * A value older than 3 of its own publishing periods is stale: Home Assistant shows it as unavailable
 * (telemetry: PERIOD_MS; diagnostics: DIAG_EVERY_MS). Issue 29: without it the diagnostics kept
 * showing the last numbers until the Will arrived, or forever if it never does.
 */
export function expireAfterS(periodMs: number): number {
    const s = Math.ceil((3 * periodMs) / 1000)
    return s < 1 ? 1 : s
}

/**
 * The device as Home Assistant knows it (issue 29): `identifiers`, every `unique_id` and the discovery
 * topic's node carry the hardware's id, not DEVICE_NAME, so two boards with one name stay two devices
 * and a rename keeps the device, its entities and their history. DEVICE_NAME stays the display name.
 */
export function haNodeId(d: DeviceInfo): string {
    return "devs_" + d.id
}

function deviceBlock(d: DeviceInfo): any {
    return {
        identifiers: [haNodeId(d)],
        name: d.name,
        model: d.model,
        manufacturer: "devs-mqtt-telemetry",
        sw_version: d.swVersion,
    }
}

export function sensorConfig(d: DeviceInfo, t: Topics, key: string, periodMs: number): DiscoveryMessage {
    const q = quantity(key)
    const c: any = {
        name: q ? (q.key === key ? q.name : q.name + " (" + key.slice(q.key.length + 1) + ")") : key,
        unique_id: haNodeId(d) + "_" + key,
        default_entity_id: "sensor." + d.name + "_" + key,
        state_topic: t.telemetry,
        value_template: "{{ value_json." + key + " }}",
        availability_topic: t.status,
        payload_available: STATUS_ONLINE,
        payload_not_available: STATUS_OFFLINE,
        expire_after: expireAfterS(periodMs),
        device: deviceBlock(d),
    }
    if (q) {
        // Home Assistant's humidity class accepts only "%", its spelling of %RH.
        c.unit_of_measurement = q.unit === "%RH" ? "%" : q.unit
        c.device_class = q.deviceClass
        c.state_class = q.stateClass
    }
    return { topic: discoveryTopic(haNodeId(d), key), payload: jsonText(c) }
}

/**
 * JSON.stringify, with the DeviceScript 2.16 runtime's escapes of non-ASCII text repaired: it
 * escapes each UTF-8 byte on its own ("°" becomes \u00c2\u00b0, which a JSON reader decodes to
 * "Â°"). A two-byte sequence (U+0080..U+07FF, all our units need) becomes one \uXXXX escape.
 * Node's JSON.stringify writes "°" as is, so this changes nothing there.
 */
export function jsonText(v: any): string {
    const s = JSON.stringify(v)
    let i = s.indexOf("\\u00c")
    if (i < 0) i = s.indexOf("\\u00d")
    if (i < 0) return s
    let out = ""
    let from = 0
    for (i = 0; i + 12 <= s.length; i++) {
        if (s.charAt(i) !== "\\" || s.slice(i, i + 4) !== "\\u00" || s.slice(i + 6, i + 10) !== "\\u00") continue
        const b1 = hexByte(s, i + 4)
        const b2 = hexByte(s, i + 10)
        if (b1 < 0xc2 || b1 > 0xdf || b2 < 0x80 || b2 > 0xbf) continue
        const cp = ((b1 & 0x1f) << 6) | (b2 & 0x3f)
        out += s.slice(from, i) + "\\u0" + HEX.charAt(cp >> 8) + HEX.charAt((cp >> 4) & 15) + HEX.charAt(cp & 15)
        from = i + 12
        i += 11
    }
    return out + s.slice(from)
}

const HEX = "0123456789abcdef"

/** The byte written as two lower-case hex digits at s[i] (DeviceScript's parseInt takes no radix). */
function hexByte(s: string, i: number): number {
    return HEX.indexOf(s.charAt(i)) * 16 + HEX.indexOf(s.charAt(i + 1))
}

function diagnosticConfig(d: DeviceInfo, t: Topics, e: any, diagPeriodMs: number): DiscoveryMessage {
    const c: any = {
        name: e.name,
        unique_id: haNodeId(d) + "_" + e.key,
        default_entity_id: "sensor." + d.name + "_" + e.key,
        state_topic: t.diagnostics,
        value_template: e.template,
        availability_topic: t.status,
        payload_available: STATUS_ONLINE,
        payload_not_available: STATUS_OFFLINE,
        expire_after: expireAfterS(diagPeriodMs),
        entity_category: "diagnostic",
        device: deviceBlock(d),
    }
    if (e.unit) c.unit_of_measurement = e.unit
    if (e.deviceClass) c.device_class = e.deviceClass
    c.state_class = e.stateClass
    return { topic: discoveryTopic(haNodeId(d), e.key), payload: jsonText(c) }
}

export function diagnosticConfigs(d: DeviceInfo, t: Topics, diagPeriodMs: number): DiscoveryMessage[] {
    const out: DiscoveryMessage[] = []
    for (const e of DIAGNOSTIC_ENTITIES) out.push(diagnosticConfig(d, t, e, diagPeriodMs))
    return out
}

/** The keys announced before (`previous`) and gone from the config: each gets an empty retained message. */
export function removedKeys(keys: string[], previous: string[]): string[] {
    const out: string[] = []
    for (const k of previous) if (keys.indexOf(k) < 0) out.push(k)
    return out
}

/** Entity key `i` of keys, then the diagnostic entities, then `removed`. */
function keyAt(keys: string[], removed: string[], i: number): string {
    if (i < keys.length) return keys[i]
    i -= keys.length
    return i < DIAGNOSTIC_ENTITIES.length ? DIAGNOSTIC_ENTITIES[i].key : removed[i - DIAGNOSTIC_ENTITIES.length]
}

/**
 * Message `i` of the discovery sequence, or null past the end: with `legacy` (the first round of a
 * boot) first an empty retained config for every key under the layout of releases before issue 29
 * (node and unique_id from DEVICE_NAME), so Home Assistant removes those entities and frees their
 * entity ids before the new ones ask for them; then the sensor configs, the diagnostic entities and
 * the removals. One at a time: with every sensor configured the whole sequence is ~30 configs of
 * ~600 B, more than the device heap has free (issue 14: an OutOfMemory at every boot, a boot loop).
 */
export function discoveryMessageAt(
    d: DeviceInfo,
    t: Topics,
    keys: string[],
    removed: string[],
    periodMs: number,
    diagPeriodMs: number,
    legacy: boolean,
    i: number,
): DiscoveryMessage | null {
    const n = keys.length + DIAGNOSTIC_ENTITIES.length + removed.length
    if (legacy) {
        if (i < n) return { topic: discoveryTopic(d.name, keyAt(keys, removed, i)), payload: "" }
        i -= n
    }
    if (i >= n) return null
    if (i < keys.length) return sensorConfig(d, t, keys[i], periodMs)
    const j = i - keys.length
    if (j < DIAGNOSTIC_ENTITIES.length) return diagnosticConfig(d, t, DIAGNOSTIC_ENTITIES[j], diagPeriodMs)
    return { topic: discoveryTopic(haNodeId(d), keyAt(keys, removed, i)), payload: "" }
}

/**
 * Everything to publish for `keys` now, plus empty retained messages that
 * remove entities published before (`previous`) and gone from the config.
 */
export function discoveryMessages(
    d: DeviceInfo,
    t: Topics,
    keys: string[],
    previous: string[],
    periodMs: number,
    diagPeriodMs: number,
    legacy = false,
): DiscoveryMessage[] {
    const out: DiscoveryMessage[] = []
    const removed = removedKeys(keys, previous)
    for (let i = 0; ; i++) {
        const m = discoveryMessageAt(d, t, keys, removed, periodMs, diagPeriodMs, legacy, i)
        if (!m) return out
        out.push(m)
    }
}
