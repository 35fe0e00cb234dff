/**
 * Many VMs in one device host process (host-sim/device/device-host.ts), against a private broker
 * (Mosquitto when installed, else the embedded aedes; under CI=true Mosquitto is required): each
 * VM is a device of its own — its own name, boot, readings, sensors and connection — and one of
 * them can stop and boot again while the others run on. The 200-device run is
 * test/interop/scale.interop.ts; the figures are `npm run bench`'s.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import type { Observed } from "../../host-sim/ledger/observer.ts"
import { Simulation } from "../../host-sim/simulation.ts"
import { installed } from "../support/required.ts"

const N = 4
const WAIT_MS = 60_000
const names = Array.from({ length: N }, (_, i) => `sim${i + 1}`)
const json = (m: Observed) => JSON.parse(m.payload.toString())
const telemetryOf = (name: string) => (m: Observed) => m.topic === `devs/${name}/telemetry`

describe(`${N} VMs in one device host process`, () => {
    let broker: RunningMosquitto | undefined
    const logs = new Map<string, string[]>()
    let sim: Simulation

    beforeAll(async () => {
        if (installed("mosquitto")) broker = await startMosquitto()
        sim = new Simulation({
            brokerUrl: broker?.url,
            devices: N,
            vmsPerProcess: N,
            periodMs: 500,
            timeResponder: false,
            settings: { HA_DISCOVERY: false },
            onDeviceLog: (d, l) => (logs.get(d) ?? logs.set(d, []).get(d)!).push(l),
        })
        await sim.start()
    }, 90_000)
    afterAll(async () => {
        await sim?.stop()
        await broker?.close()
    })

    test("each VM publishes under its own name, with its own boot and its own readings, from one process", async () => {
        expect(sim.pools).toHaveLength(1)
        for (const n of names)
            await sim.observer.waitFor(m => telemetryOf(n)(m) && json(m).seq >= 3, WAIT_MS, `three readings from ${n}`)
        const stats = await sim.pools[0].stats()
        expect(stats.devices).toBe(N)
        expect(stats.ticks).toBeGreaterThan(0)
        const firsts = names.map(n => sim.observer.messages.filter(telemetryOf(n)).map(json))
        // Distinct boot ids (each VM draws its own), seq from 1 per device, and readings that differ per device.
        expect(new Set(firsts.map(f => f[0].boot)).size).toBe(N)
        for (const f of firsts) expect(f.slice(0, 3).map(p => p.seq)).toEqual([1, 2, 3])
        expect(new Set(firsts.map(f => `${f[0].temperature} ${f[0].humidity} ${f[0].pressure}`)).size).toBe(N)
        for (const n of names)
            expect(
                sim.observer.messages.some(m => m.topic === `devs/${n}/status` && m.payload.toString() === "online"),
            ).toBe(true)
    }, 90_000)

    test("one VM stops (the broker publishes its Will) and boots again while the others keep publishing", async () => {
        const dev = sim.device("sim2")!
        const stoppedAt = Date.now()
        await dev.stop()
        expect(dev.running).toBe(false)
        await sim.observer.waitFor(
            m => m.topic === "devs/sim2/status" && m.payload.toString() === "offline" && m.atMs >= stoppedAt,
            WAIT_MS,
            "sim2's Will",
        )
        // The others go on: each publishes a reading after the stop.
        for (const n of ["sim1", "sim3", "sim4"])
            await sim.observer.waitFor(m => telemetryOf(n)(m) && m.atMs > stoppedAt, WAIT_MS, `${n} after sim2 stopped`)
        const oldBoot = json(sim.observer.messages.filter(telemetryOf("sim2")).at(-1)!).boot
        dev.start()
        const again = await sim.observer.waitFor(
            m => telemetryOf("sim2")(m) && json(m).boot !== oldBoot,
            WAIT_MS,
            "sim2 after its new boot",
        )
        expect(json(again).seq).toBeLessThanOrEqual(2)
    }, 90_000)

    test("a sensor fault sent to one VM fails that VM's sensor only", async () => {
        const from = Date.now()
        sim.device("sim3")!.setSensorMode("humidity", "fail")
        await sim.observer.waitFor(
            m => telemetryOf("sim3")(m) && json(m).status?.humidity?.status === "failed",
            WAIT_MS,
            "sim3's humidity failed",
        )
        // A reading of every other VM after sim3's failed one still has its humidity.
        for (const n of ["sim1", "sim4"]) {
            const after = await sim.observer.waitFor(
                m => telemetryOf(n)(m) && m.atMs > from && typeof json(m).humidity === "number",
                WAIT_MS,
                `${n} with humidity`,
            )
            expect(json(after).status).toBeUndefined()
        }
        sim.device("sim3")!.setSensorMode("humidity", "ok")
    }, 90_000)

    test("no VM log holds a PANIC or an Exception", () => {
        for (const n of names) {
            const lines = logs.get(n) ?? []
            expect(lines.length, `${n} logged nothing`).toBeGreaterThan(0)
            expect(lines.filter(l => /PANIC|Exception/.test(l))).toEqual([])
        }
    })
})
