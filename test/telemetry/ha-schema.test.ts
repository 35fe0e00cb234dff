/**
 * Every discovery config against the Home Assistant schema facts of test/support/ha-schema.ts (the
 * release and the source files are named there), and the statistics of each entity as
 * docs/home-assistant.md lists them.
 */
import { describe, expect, test } from "vitest"
import { discoveryMessages } from "../../firmware/telemetry/discovery.ts"
import { QUANTITIES } from "../../firmware/telemetry/quantities.ts"
import { topicsFor } from "../../firmware/telemetry/topics.ts"
import {
    HA_DEVICE_CLASS_STATE_CLASSES,
    HA_DEVICE_CLASS_UNITS,
    HA_DEVICE_KEYS,
    HA_ENTITY_CATEGORIES,
    HA_SENSOR_KEYS,
    HA_STATE_CLASSES,
} from "../support/ha-schema.ts"

const device = {
    name: "dev1",
    id: "d5e7000100c0ffee",
    model: "DeviceScript MQTT telemetry (esp32)",
    swVersion: "0.1.0",
}
const keys = [...QUANTITIES.map(q => q.key), "temperature_sht4x"]
const configs = discoveryMessages(device, topicsFor("devs", "dev1"), keys, [], 5000, 60_000)
    .filter(m => m.payload !== "")
    .map(m => JSON.parse(m.payload))

describe(`every discovery config fits the Home Assistant MQTT sensor schema`, () => {
    test("only options the schema knows (unknown ones are dropped silently), never object_id", () => {
        expect(configs.length).toBe(keys.length + 4)
        for (const c of configs) {
            for (const k of Object.keys(c)) expect(HA_SENSOR_KEYS, `${c.name}: ${k}`).toContain(k)
            for (const k of Object.keys(c.device)) expect(HA_DEVICE_KEYS, `${c.name}: device.${k}`).toContain(k)
            expect(c.object_id).toBeUndefined()
        }
    })

    test("a unique_id, a device with identifiers and a name, a sensor default_entity_id", () => {
        for (const c of configs) {
            expect(typeof c.unique_id).toBe("string")
            expect(c.device.identifiers.length).toBeGreaterThan(0)
            expect(c.device.name).toBe("dev1")
            expect(c.default_entity_id).toMatch(/^sensor\.[a-z0-9_]+$/)
        }
        expect(new Set(configs.map(c => c.unique_id)).size).toBe(configs.length)
    })

    test("device_class, unit and state_class are a combination the release accepts", () => {
        for (const c of configs) {
            expect(HA_STATE_CLASSES, c.name).toContain(c.state_class)
            if (c.entity_category !== undefined) expect(HA_ENTITY_CATEGORIES).toContain(c.entity_category)
            if (c.device_class === undefined) continue
            expect(HA_DEVICE_CLASS_UNITS[c.device_class], c.name).toContain(c.unit_of_measurement)
            expect(HA_DEVICE_CLASS_STATE_CLASSES[c.device_class], c.name).toContain(c.state_class)
        }
    })

    test("expire_after is a positive whole number of seconds on every entity", () => {
        for (const c of configs) {
            expect(Number.isInteger(c.expire_after), c.name).toBe(true)
            expect(c.expire_after).toBeGreaterThan(0)
        }
    })
})

test("statistics as docs/home-assistant.md lists them", () => {
    const byName = (n: string) => configs.find(c => c.name === n)
    const rows: [string, string | undefined, string | undefined, string][] = [
        // name, device_class, unit, state_class
        ["Temperature", "temperature", "°C", "measurement"],
        ["Temperature (sht4x)", "temperature", "°C", "measurement"],
        ["Humidity", "humidity", "%", "measurement"],
        ["Pressure", "atmospheric_pressure", "hPa", "measurement"],
        ["Illuminance", "illuminance", "lx", "measurement"],
        ["CO2", "carbon_dioxide", "ppm", "measurement"],
        // Only grows during a boot, restarts at 0: a total_increasing, not a measurement.
        ["Uptime", "duration", "s", "total_increasing"],
        ["MQTT reconnects", undefined, undefined, "total_increasing"],
        ["Dropped messages", undefined, undefined, "total_increasing"],
        ["MQTT round trip", "duration", "ms", "measurement"],
    ]
    for (const [name, dc, unit, sc] of rows) {
        const c = byName(name)
        expect(c, name).toBeDefined()
        expect([c.device_class, c.unit_of_measurement, c.state_class], name).toEqual([dc, unit, sc])
    }
    expect(rows.length).toBe(configs.length)
})
