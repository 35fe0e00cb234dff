/**
 * `npm start -- --devices N`: N VMs with distinct ids, names and sensor values against one broker.
 */
import { afterAll, beforeAll, expect, test } from "vitest"
import { Simulation } from "../../host-sim/simulation.ts"

const sim = new Simulation({ devices: 3, periodMs: 500, settings: { HA_DISCOVERY: false } })

beforeAll(async () => {
    await sim.start()
})
afterAll(async () => {
    await sim.stop()
})

test("three simulated devices publish under their own names with their own sensor values", async () => {
    const names = ["sim1", "sim2", "sim3"]
    for (const n of names)
        await sim.observer.waitFor(m => m.topic === `devs/${n}/telemetry`, 30_000, `telemetry from ${n}`)
    const first = names.map(n =>
        JSON.parse(sim.observer.messages.find(m => m.topic === `devs/${n}/telemetry`)!.payload.toString()),
    )
    expect(new Set(first.map(p => p.temperature)).size).toBe(3)
    expect(new Set(sim.devices.map(d => d.config.deviceId)).size).toBe(3)
    for (const n of names)
        expect(
            sim.observer.messages.some(m => m.topic === `devs/${n}/status` && m.payload.toString() === "online"),
        ).toBe(true)
})
