/**
 * Home Assistant MQTT discovery configs, field by field against what the
 * MQTT sensor integration requires.
 */
import { readFileSync } from "node:fs"
import { describe, expect, test } from "vitest"
import { diagnosticConfigs, discoveryMessages, expireAfterS, sensorConfig } from "../../firmware/telemetry/discovery.ts"
import { QUANTITIES } from "../../firmware/telemetry/quantities.ts"
import { topicsFor } from "../../firmware/telemetry/topics.ts"
import { FIRMWARE_VERSION } from "../../firmware/version.ts"
import { HA_DEVICE_CLASS_UNITS } from "../support/ha-schema.ts"

const ID = "d5e7000100c0ffee"
const NODE = `devs_${ID}`
const device = { name: "dev1", id: ID, model: "DeviceScript MQTT telemetry (esp32)", swVersion: "0.1.0" }
const topics = topicsFor("devs", "dev1")
const parsed = (msgs: { payload: string }[]) => msgs.filter(m => m.payload !== "").map(m => JSON.parse(m.payload))

/** Device classes and units Home Assistant accepts together (the release and source in test/support/ha-schema.ts). */
const HA_UNITS = HA_DEVICE_CLASS_UNITS

describe("sensor entities", () => {
    for (const q of QUANTITIES) {
        test(`${q.key}: topic, ids, state, availability, unit/class pair, expiry`, () => {
            const m = sensorConfig(device, topics, q.key, 5000)
            expect(m.topic).toBe(`homeassistant/sensor/${NODE}/${q.key}/config`)
            const c = JSON.parse(m.payload)
            expect(c.unique_id).toBe(`${NODE}_${q.key}`)
            expect(c.default_entity_id).toBe(`sensor.dev1_${q.key}`)
            expect(c.state_topic).toBe("devs/dev1/telemetry")
            expect(c.value_template).toBe(`{{ value_json.${q.key} }}`)
            expect(c.availability_topic).toBe("devs/dev1/status")
            expect(c.payload_available).toBe("online")
            expect(c.payload_not_available).toBe("offline")
            expect(HA_UNITS[c.device_class]).toContain(c.unit_of_measurement)
            expect(c.state_class).toBe("measurement")
            expect(c.expire_after).toBe(15)
            expect(c.device).toEqual({
                identifiers: [NODE],
                name: "dev1",
                model: device.model,
                manufacturer: "devs-mqtt-telemetry",
                sw_version: "0.1.0",
            })
            expect(c.entity_category).toBeUndefined()
        })
    }
})

test("diagnostic entities read the diagnostics topic and are marked entity_category: diagnostic", () => {
    const all = diagnosticConfigs(device, topics, 60_000)
    expect(all.length).toBeGreaterThanOrEqual(3)
    for (const m of all) {
        const c = JSON.parse(m.payload)
        expect(c.entity_category).toBe("diagnostic")
        expect(c.state_topic).toBe("devs/dev1/diagnostics")
        expect(c.availability_topic).toBe("devs/dev1/status")
        expect(c.unique_id).toMatch(new RegExp(`^${NODE}_`))
        expect(m.topic).toBe(`homeassistant/sensor/${NODE}/${c.unique_id.slice(NODE.length + 1)}/config`)
        if (c.device_class) expect(HA_UNITS[c.device_class]).toContain(c.unit_of_measurement)
    }
})

test("every entity expires after three of its own publishing periods (diagnostics: DIAG_EVERY_MS) — none is retained", () => {
    const msgs = discoveryMessages(device, topics, ["temperature", "co2_scd4x"], [], 5000, 60_000)
    expect(msgs.length).toBe(2 + diagnosticConfigs(device, topics, 60_000).length)
    for (const m of msgs) {
        const c = JSON.parse(m.payload)
        const diag = c.entity_category === "diagnostic"
        expect(c.state_topic).toBe(diag ? "devs/dev1/diagnostics" : "devs/dev1/telemetry")
        // Neither topic is retained (publisher.ts, diagnostics-reporter.ts): an expiry is the only guard.
        expect(c.expire_after, c.name).toBe(diag ? 180 : 15)
    }
    expect(JSON.parse(diagnosticConfigs(device, topics, 1000)[0].payload).expire_after).toBe(3)
})

test("expire_after is three periods, at least 1 s", () => {
    expect(expireAfterS(5000)).toBe(15)
    expect(expireAfterS(100)).toBe(1)
    expect(expireAfterS(3_600_000)).toBe(10_800)
})

test("a sensor removed from the config gets an empty retained message; kept ones are republished", () => {
    const msgs = discoveryMessages(device, topics, ["temperature", "humidity"], ["temperature", "co2"], 5000, 60_000)
    const removed = msgs.filter(m => m.payload === "")
    expect(removed.map(m => m.topic)).toEqual([`homeassistant/sensor/${NODE}/co2/config`])
    expect(msgs.filter(m => m.topic.includes("/temperature/")).length).toBe(1)
})

describe("identity from the hardware (issue 29)", () => {
    const keys = ["temperature", "humidity"]
    const all = (d: typeof device, legacy = false) =>
        discoveryMessages(d, topicsFor("devs", d.name), keys, ["co2"], 5000, 60_000, legacy)

    test("a rename of DEVICE_NAME keeps the device, the unique_ids and the discovery topics; only the name and state topics follow", () => {
        const before = all(device)
        const after = all({ ...device, name: "kitchen" })
        expect(after.map(m => m.topic)).toEqual(before.map(m => m.topic))
        const [b, a] = [parsed(before), parsed(after)]
        expect(a.map(c => c.unique_id)).toEqual(b.map(c => c.unique_id))
        for (const c of a) {
            expect(c.device.identifiers).toEqual([NODE])
            expect(c.device.name).toBe("kitchen")
            expect(c.state_topic).toMatch(/^devs\/kitchen\//)
            expect(c.availability_topic).toBe("devs/kitchen/status")
        }
    })

    test("two boards with one DEVICE_NAME are two devices: no identifier, unique_id or discovery topic in common", () => {
        const one = all(device)
        const two = all({ ...device, id: "d5e7000200c0ffee" })
        const ids = (msgs: typeof one) => parsed(msgs).flatMap(c => [c.unique_id, ...c.device.identifiers])
        expect(ids(one).filter(x => ids(two).includes(x))).toEqual([])
        expect(one.map(m => m.topic).filter(t => two.some(m => m.topic === t))).toEqual([])
    })

    test("the first round of a boot first clears every config of the old layout (<name>/<key>), then announces", () => {
        const msgs = all(device, true)
        const legacy = msgs.filter(m => m.topic.startsWith("homeassistant/sensor/dev1/"))
        const keysOld = ["temperature", "humidity", "uptime", "reconnects", "dropped", "rtt", "co2"]
        expect(legacy.map(m => m.topic)).toEqual(keysOld.map(k => `homeassistant/sensor/dev1/${k}/config`))
        expect(legacy.every(m => m.payload === "")).toBe(true)
        // Cleared before the new configs ask for the same entity ids (default_entity_id sensor.dev1_<key>).
        expect(msgs.slice(0, legacy.length)).toEqual(legacy)
        expect(msgs.slice(legacy.length)).toEqual(all(device))
    })
})

test("the firmware version matches package.json", () => {
    expect(FIRMWARE_VERSION).toBe(JSON.parse(readFileSync("package.json", "utf8")).version)
})

describe("JSON text of a discovery config", () => {
    test("the VM's per-byte escapes of UTF-8 become one escape per character: °C reads as °C", async () => {
        const { jsonText } = await import("../../firmware/telemetry/discovery.ts")
        const vmStyle = { stringify: () => '{"unit_of_measurement":"\\u00c2\\u00b0C","x":"\\u00e9"}' }
        const orig = JSON.stringify
        JSON.stringify = vmStyle.stringify as typeof JSON.stringify
        try {
            const s = jsonText({})
            JSON.stringify = orig
            expect(JSON.parse(s).unit_of_measurement).toBe("°C")
            expect(s).toContain("\\u00b0C")
        } finally {
            JSON.stringify = orig
        }
        expect(jsonText({ unit: "°C" })).toBe('{"unit":"°C"}')
    })
})
