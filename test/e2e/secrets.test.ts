/**
 * The MQTT password stays out of what other local users can read (issue 28): the device processes
 * get their configuration by IPC, so neither their argv (`ps`, /proc/<pid>/cmdline) nor their
 * environment holds it. Against Mosquitto with that login when installed (so telemetry proves the
 * password did reach the VM), else the embedded broker; under CI=true Mosquitto is required.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Simulation } from "../../host-sim/simulation.ts"
import { argvAndEnv, descendants } from "../support/proc-tree.ts"
import { installed } from "../support/required.ts"

const USER = "sensor"
const SENTINEL = "s3ntinel-pw-7f3a9c"
const WAIT_MS = 60_000

describe.each([
    { hosting: "a process per device", vmsPerProcess: 1 },
    { hosting: "a device host process", vmsPerProcess: 2 },
])("the MQTT password with $hosting", ({ vmsPerProcess }) => {
    let broker: RunningMosquitto | undefined
    let sim: Simulation

    beforeAll(async () => {
        if (installed("mosquitto")) broker = await startMosquitto({ users: { [USER]: SENTINEL } })
        sim = new Simulation({
            brokerUrl: broker?.url,
            devices: 2,
            vmsPerProcess,
            periodMs: 500,
            timeResponder: false,
            settings: { HA_DISCOVERY: false, MQTT_USER: USER, MQTT_PASS: SENTINEL },
        })
        await sim.start()
    }, 90_000)
    afterAll(async () => {
        await sim?.stop()
        await broker?.close()
    })

    test("is in no child process's argv or environment, and the devices log in with it", async () => {
        for (const n of ["sim1", "sim2"])
            await sim.observer.waitFor(m => m.topic === `devs/${n}/telemetry`, WAIT_MS, `telemetry from ${n}`)
        const children = descendants(process.pid)
        expect(children.length).toBeGreaterThan(0)
        for (const pid of children) {
            const { cmdline, environ } = argvAndEnv(pid)
            expect(cmdline, `argv of ${pid}`).not.toContain(SENTINEL)
            expect(environ, `environment of ${pid}`).not.toContain(SENTINEL)
        }
        // The device processes are among them (not only the broker).
        expect(children.some(p => argvAndEnv(p).cmdline.includes("device-"))).toBe(true)
    }, 90_000)
})
