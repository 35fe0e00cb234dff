/**
 * The firmware bytecode in the DeviceScript VM, an embedded aedes broker and
 * an independent MQTT.js observer: what the broker received is what counts.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { Simulation } from "../../host-sim/simulation.ts"

const TELEMETRY_WAIT_MS = 20_000

describe("a simulated device publishing telemetry to aedes", () => {
    const sim = new Simulation({ periodMs: 300, settings: { DEVICE_NAME: "e2e1", KEEPALIVE_S: 10 } })

    beforeAll(async () => {
        await sim.start()
    })
    afterAll(async () => {
        await sim.stop()
    })

    test("publishes retained 'online' on its status topic after CONNACK", async () => {
        const m = await sim.observer.waitFor(
            m => m.topic === "devs/e2e1/status" && m.payload.toString() === "online",
            TELEMETRY_WAIT_MS,
            "online status",
        )
        expect(m.qos).toBe(1)
    })

    test("publishes telemetry with seq increasing by one and the three simulated quantities", async () => {
        const isTelemetry = (m: { topic: string }) => m.topic === "devs/e2e1/telemetry"
        await sim.observer.waitFor(
            m => isTelemetry(m) && JSON.parse(m.payload.toString()).seq >= 3,
            TELEMETRY_WAIT_MS,
            "three telemetry messages",
        )
        const payloads = sim.observer.messages.filter(isTelemetry).map(m => JSON.parse(m.payload.toString()))
        const seqs = payloads.map(p => p.seq)
        expect(seqs.slice(0, 3)).toEqual([1, 2, 3])
        for (const p of payloads) {
            expect(typeof p.uptime_ms).toBe("number")
            expect(p.temperature).toBeGreaterThan(15)
            expect(p.temperature).toBeLessThan(30)
            expect(p.humidity).toBeGreaterThan(0)
            expect(p.humidity).toBeLessThan(100)
            expect(p.pressure).toBeGreaterThan(900)
            expect(p.pressure).toBeLessThan(1100)
            expect(p.status).toBeUndefined()
        }
        // QoS 1 end to end: the observer subscribed with QoS 1.
        expect(sim.observer.messages.find(isTelemetry)!.qos).toBe(1)
    })

    test("killing the VM makes the broker publish the retained 'offline' Will", async () => {
        await sim.devices[0].kill()
        const will = await sim.observer.waitFor(
            m => m.topic === "devs/e2e1/status" && m.payload.toString() === "offline",
            TELEMETRY_WAIT_MS,
            "offline Will",
        )
        expect(will.topic).toBe("devs/e2e1/status")
        // Retained: a subscriber that arrives later still sees 'offline'.
        const late = new Observer(sim.url, "devs/e2e1/status")
        await late.start()
        try {
            const r = await late.waitFor(m => m.retain, TELEMETRY_WAIT_MS, "retained status")
            expect(r.payload.toString()).toBe("offline")
        } finally {
            await late.stop()
        }
    })
})
