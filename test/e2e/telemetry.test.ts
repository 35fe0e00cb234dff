/**
 * Telemetry semantics with the real bytecode: payload schema, a failing
 * sensor reported and recovered, the period downlink, Home Assistant
 * discovery as the broker received it.
 */
import mqtt from "mqtt"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { Observer, type Observed } from "../../host-sim/ledger/observer.ts"
import { Simulation } from "../../host-sim/simulation.ts"
import { within } from "../../host-sim/cli/within.ts"

const WAIT_MS = 30_000
const json = (m: Observed) => JSON.parse(m.payload.toString())

describe("telemetry from a simulated device", () => {
    const sim = new Simulation({
        periodMs: 300,
        settings: { DEVICE_NAME: "tel1", HA_KEYS: ["temperature", "gone"], DIAG_EVERY_MS: 1000 },
    })
    let ha: Observer
    const dev = "tel1"
    const telemetry = (m: Observed) => m.topic === `devs/${dev}/telemetry`

    beforeAll(async () => {
        await sim.start()
        ha = new Observer(sim.url, "homeassistant/#")
        await ha.start()
    })
    afterAll(async () => {
        await ha?.stop()
        await sim.stop()
    })

    test("every telemetry message has seq, uptime_ms and numeric quantities, never null or NaN", async () => {
        await sim.observer.waitFor(m => telemetry(m) && json(m).seq >= 5, WAIT_MS, "five messages")
        for (const m of sim.observer.messages.filter(telemetry)) {
            const text = m.payload.toString()
            expect(text).not.toMatch(/null|NaN/)
            const p = JSON.parse(text)
            expect(Number.isInteger(p.seq)).toBe(true)
            expect(Number.isInteger(p.uptime_ms)).toBe(true)
            expect(p.boot).toMatch(/^[0-9a-f]{12}$/)
            for (const [k, v] of Object.entries(p)) if (k !== "status" && k !== "boot") expect(typeof v).toBe("number")
            for (const q of ["temperature", "humidity", "pressure"])
                expect(q in p || (p.status && q in p.status)).toBe(true)
        }
    })

    test("a sensor that fails is reported in status while the others keep publishing, and recovers", async () => {
        const d = sim.devices[0]
        d.setSensorMode("humidity", "fail")
        const failed = await within(
            sim.observer.waitFor(m => telemetry(m) && json(m).status?.humidity?.status === "failed", WAIT_MS),
            WAIT_MS,
            "humidity failed",
        )
        const p = json(failed)
        expect(p.humidity).toBeUndefined()
        expect(p.status.humidity.error).toMatch(/not_found|timeout/)
        expect(p.status.humidity.age_ms).toBeGreaterThan(0)
        expect(typeof p.temperature).toBe("number")
        expect(typeof p.pressure).toBe("number")
        d.setSensorMode("humidity", "ok")
        const back = await within(
            sim.observer.waitFor(
                m => telemetry(m) && json(m).seq > p.seq && typeof json(m).humidity === "number",
                WAIT_MS,
            ),
            WAIT_MS,
            "humidity back",
        )
        expect(json(back).status).toBeUndefined()
    }, 70_000)

    test("diagnostics carry the firmware version and the MQTT counters", async () => {
        const m = await sim.observer.waitFor(x => x.topic === `devs/${dev}/diagnostics`, WAIT_MS, "diagnostics")
        const d = json(m)
        expect(d.fw).toBe("0.1.0")
        expect(d.mqtt.connects).toBeGreaterThanOrEqual(1)
        expect(typeof d.mqtt.queue).toBe("number")
        expect(typeof d.mqtt.dropped).toBe("number")
    })

    test("Home Assistant discovery: retained configs per quantity and diagnostic entity under the hardware id; a removed entity and the old layout are cleared", async () => {
        // Issue 29: the node, identifiers and unique_ids carry the runtime's device id, the name stays the display name.
        const node = `devs_${sim.devices[0].config.deviceId}`
        for (const q of ["temperature", "humidity", "pressure", "illuminance"]) {
            const m = await ha.waitFor(
                x => x.topic === `homeassistant/sensor/${node}/${q}/config`,
                WAIT_MS,
                `${q} config`,
            )
            const c = json(m)
            expect(c).toMatchObject({
                unique_id: `${node}_${q}`,
                default_entity_id: `sensor.${dev}_${q}`,
                state_topic: `devs/${dev}/telemetry`,
                availability_topic: `devs/${dev}/status`,
                expire_after: 1,
            })
            expect(c.device.identifiers).toEqual([node])
            expect(c.device.name).toBe(dev)
            // Units as Home Assistant reads them (the VM's JSON.stringify escapes UTF-8 per byte: repaired).
            expect(c.unit_of_measurement).toBe(
                { temperature: "°C", humidity: "%", pressure: "hPa", illuminance: "lx" }[q],
            )
        }
        const cleared = await ha.waitFor(
            x => x.topic === `homeassistant/sensor/${node}/gone/config`,
            WAIT_MS,
            "gone cleared",
        )
        expect(cleared.payload.length).toBe(0)
        // The layout before issue 29 (node = DEVICE_NAME) is cleared at boot, before the new configs.
        const old = ha.messages.filter(x => x.topic.startsWith(`homeassistant/sensor/${dev}/`))
        expect(old.length).toBeGreaterThanOrEqual(4 + 4)
        expect(old.every(x => x.payload.length === 0)).toBe(true)
        const diag = ha.messages.filter(x => x.payload.length > 0 && json(x).entity_category === "diagnostic")
        expect(diag.length).toBeGreaterThan(0)
        // DIAG_EVERY_MS=1000: three reports.
        for (const d of diag) expect(json(d).expire_after).toBe(3)
        // Retained: Home Assistant starting later still finds every config.
        const late = new Observer(sim.url, `homeassistant/sensor/${node}/temperature/config`)
        await late.start()
        try {
            const r = await late.waitFor(x => x.retain, WAIT_MS, "retained config")
            expect(json(r).unique_id).toBe(`${node}_temperature`)
        } finally {
            await late.stop()
        }
    })

    test("the period downlink changes the period and answers on the log topic; a bad or overlong value is rejected", async () => {
        const client = await mqtt.connectAsync(sim.url)
        try {
            await client.publishAsync(`devs/${dev}/set/period_ms`, "abc", { qos: 1 })
            const bad = await sim.observer.waitFor(
                m => m.topic === `devs/${dev}/log` && json(m).level === "error",
                WAIT_MS,
                "rejection",
            )
            expect(json(bad).msg).toMatch(/rejected period_ms 'abc'/)
            // Too long to be a period: rejected from its first bytes (only those become text on the device).
            await client.publishAsync(`devs/${dev}/set/period_ms`, "1".repeat(900), { qos: 1 })
            const long = await sim.observer.waitFor(
                m => m.topic === `devs/${dev}/log` && json(m).level === "error" && m !== bad,
                WAIT_MS,
                "rejection of a long value",
            )
            expect(json(long).msg).toMatch(/rejected period_ms '1{32}': expected an integer/)
            await client.publishAsync(`devs/${dev}/set/period_ms`, "1500", { qos: 1 })
            const ok = await sim.observer.waitFor(
                m => m.topic === `devs/${dev}/log` && json(m).msg === "period_ms set to 1500",
                WAIT_MS,
                "ack",
            )
            const after = await within(
                (async () => {
                    const a = await sim.observer.waitFor(m => telemetry(m) && m.atMs > ok.atMs + 2000, WAIT_MS)
                    return sim.observer.waitFor(m => telemetry(m) && json(m).seq === json(a).seq + 1, WAIT_MS)
                })(),
                WAIT_MS,
                "telemetry at the new period",
            )
            const prev = sim.observer.messages.find(m => telemetry(m) && json(m).seq === json(after).seq - 1)!
            const gap = json(after).uptime_ms - json(prev).uptime_ms
            expect(gap).toBeGreaterThanOrEqual(1400)
            // Discovery is republished with the new expiry (3 periods).
            const c = await ha.waitFor(
                x =>
                    x.topic === `homeassistant/sensor/devs_${sim.devices[0].config.deviceId}/temperature/config` &&
                    x.payload.length > 0 &&
                    json(x).expire_after === 5,
                WAIT_MS,
                "new expire_after",
            )
            expect(json(c).expire_after).toBe(5)
        } finally {
            await client.endAsync()
        }
    }, 90_000)
})

describe("discovery switched off", () => {
    const sim = new Simulation({ periodMs: 300, settings: { DEVICE_NAME: "nodisc", HA_DISCOVERY: false } })
    beforeAll(async () => {
        await sim.start()
    })
    afterAll(async () => {
        await sim.stop()
    })

    test("HA_DISCOVERY=false publishes no homeassistant/ config", async () => {
        const ha = new Observer(sim.url, "homeassistant/#")
        await ha.start()
        try {
            await sim.observer.waitFor(
                m => m.topic === "devs/nodisc/telemetry" && JSON.parse(m.payload.toString()).seq >= 3,
                WAIT_MS,
                "telemetry",
            )
            expect(ha.messages).toEqual([])
        } finally {
            await ha.stop()
        }
    })
})
