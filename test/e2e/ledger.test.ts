/**
 * Issue 14 with the real bytecode against a private Mosquitto: every reading carries its boot id,
 * seq and a Unix `ts` within the accuracy the device states; a power cut starts a new boot and
 * `npm run verify` explains every gap; a period set by downlink survives a reboot, and with every
 * sensor configured the HA_KEYS setting reads back after it (no boot loop) and nothing is written
 * to flash at boot.
 */
import mqtt from "mqtt"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer, type Observed } from "../../host-sim/ledger/observer.ts"
import { Simulation } from "../../host-sim/simulation.ts"
import { TimeResponder } from "../../host-sim/time/time-responder.ts"
import { brokerTarget } from "../../host-sim/link/broker-connect.ts"
import { EVERY_SENSOR } from "../support/every-sensor.ts"
import { runVerify } from "../support/run-verify.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

const WAIT_MS = 40_000
/** Thirteen sensor drivers probing absent chips make a slow boot when the whole suite shares two cores. */
const EVERY_SENSOR_WAIT_MS = 90_000
const json = (m: Observed) => JSON.parse(m.payload.toString())

describe.skipIf(!installed("mosquitto"))("every reading accounted for (issue 14), against mosquitto", () => {
    let broker: RunningMosquitto

    beforeAll(async () => {
        broker = await startMosquitto()
    })
    afterAll(async () => {
        await broker?.close()
    })

    test("readings carry boot, seq and a ts within the device's stated accuracy of the host clock; diagnostics carry the same boot", async () => {
        const sim = new Simulation({
            brokerUrl: broker.url,
            periodMs: 500,
            settings: { DEVICE_NAME: "clk1", DIAG_EVERY_MS: 1000 },
        })
        try {
            await sim.start()
            const tel = (m: Observed) => m.topic === "devs/clk1/telemetry"
            await within(
                sim.observer.waitFor(m => tel(m) && json(m).seq >= 12, WAIT_MS),
                WAIT_MS,
                "twelve readings",
            )
            const diag = json(
                await sim.observer.waitFor(
                    m => m.topic === "devs/clk1/diagnostics" && json(m).time.syncs >= 1,
                    WAIT_MS,
                ),
            )
            const readings = sim.observer.messages.filter(tel).map(m => ({ p: json(m), atMs: m.atMs }))
            const boot = readings[0].p.boot
            expect(boot).toMatch(/^[0-9a-f]{12}$/)
            expect(diag.boot).toBe(boot)
            expect(readings.every(r => r.p.boot === boot)).toBe(true)
            expect(readings.map(r => r.p.seq)).toEqual(readings.map((_, i) => i + 1))
            // The bound the device states: half the measured round trip plus its clock step.
            const bound = diag.time.accuracy_ms
            expect(bound).toBe(Math.ceil(diag.time.rtt_ms / 2) + 1)
            const withTs = readings.filter(r => typeof r.p.ts === "number")
            // The boot waits for the first sync: with a responder on the broker every reading has its ts.
            expect(withTs.length).toBe(readings.length)
            const lags = withTs.map(r => r.atMs - r.p.ts)
            console.log(
                `time: device rtt ${diag.time.rtt_ms} ms, stated accuracy ${bound} ms; receipt - ts over ${lags.length} readings: min ${Math.min(...lags)} ms, max ${Math.max(...lags)} ms`,
            )
            // A reading is received after it was read: its ts is never later than the host clock at receipt by more than the bound.
            for (const lag of lags) expect(lag).toBeGreaterThanOrEqual(-bound)
            // And it is not far in the past either (publish-to-receipt on loopback, generous for a loaded machine).
            for (const lag of lags) expect(lag).toBeLessThan(bound + 2000)
            // uptime_ms and ts move together: one clock, one offset.
            const first = withTs[0].p
            for (const r of withTs) expect(r.p.ts - first.ts - (r.p.uptime_ms - first.uptime_ms)).toBe(0)
        } finally {
            await sim.stop()
        }
    }, 90_000)

    test("without a time responder readings have no ts (never a wrong one) and boot and seq as usual", async () => {
        const sim = new Simulation({
            brokerUrl: broker.url,
            periodMs: 300,
            timeResponder: false,
            settings: { DEVICE_NAME: "clk0" },
        })
        try {
            await sim.start()
            await within(
                sim.observer.waitFor(m => m.topic === "devs/clk0/telemetry" && json(m).seq >= 3, WAIT_MS),
                WAIT_MS,
                "three readings",
            )
            const ps = sim.observer.messages.filter(m => m.topic === "devs/clk0/telemetry").map(json)
            expect(ps.every(p => !("ts" in p) && /^[0-9a-f]{12}$/.test(p.boot))).toBe(true)
        } finally {
            await sim.stop()
        }
    }, 60_000)

    test("a power cut mid-run shows a new boot, and npm run verify explains every gap", async () => {
        const run = runVerify(broker.url, 25)
        await within(run.listening, 30_000, "verify listening")
        const sim = new Simulation({
            brokerUrl: broker.url,
            periodMs: 400,
            settings: { DEVICE_NAME: "cut1", DIAG_EVERY_MS: 1000 },
            scenarios: [{ restart: "powercut", startS: 6, endS: 7 }],
        })
        try {
            await sim.start()
            const tel = (m: Observed) => m.topic === "devs/cut1/telemetry"
            const firstBoot = json(await within(sim.observer.waitFor(tel, WAIT_MS), WAIT_MS, "a reading")).boot
            await within(
                sim.observer.waitFor(m => tel(m) && json(m).boot !== firstBoot && json(m).seq >= 5, WAIT_MS),
                WAIT_MS,
                "five readings of the second boot",
            )
            const boots = [...new Set(sim.observer.messages.filter(tel).map(m => json(m).boot))]
            expect(boots).toHaveLength(2)
            const { code, out } = await run.done
            console.log(out)
            expect(out).toMatch(/cut1: \d+ readings, \d+ duplicates, \d+ missing, 1 reboot seen, every gap explained/)
            expect(out).toContain(`boot ${boots[0]}`)
            expect(out).toContain(`boot ${boots[1]}`)
            expect(code).toBe(0)
        } finally {
            await sim.stop()
        }
    }, 90_000)

    test("npm run verify exits 1 and names the device when a gap is not explained by a counted drop or a reboot", async () => {
        const run = runVerify(broker.url, 3)
        await within(run.listening, 30_000, "verify listening")
        const c = await mqtt.connectAsync(broker.url, { clientId: `gap-${process.pid}` })
        try {
            for (const seq of [1, 2, 5])
                await c.publishAsync("devs/fake1/telemetry", JSON.stringify({ boot: "f00d", seq, uptime_ms: seq }), {
                    qos: 1,
                })
            await c.publishAsync(
                "devs/fake1/diagnostics",
                JSON.stringify({ boot: "f00d", uptime_ms: 9, mqtt: { readings_dropped: { queue_full: 1 } } }),
                { qos: 1 },
            )
        } finally {
            await c.endAsync()
        }
        const { code, out } = await run.done
        expect(out).toMatch(/fake1: 3 readings, 0 duplicates, 2 missing, 0 reboots seen, 1 NOT EXPLAINED/)
        expect(out).toMatch(/error: 1 missing reading is not explained/)
        expect(code).toBe(1)
    }, 60_000)

    test("npm run verify on a broker where nothing publishes says 'no telemetry received' once and exits 1", async () => {
        const run = runVerify(broker.url, 1)
        const { code, out } = await run.done
        expect(out.match(/no telemetry received/g), out).toHaveLength(1)
        expect(out).toMatch(/^error: no telemetry received$/m)
        expect(code).toBe(1)
    }, 60_000)

    test("a period set by downlink survives a reboot; with every sensor configured HA_KEYS reads back and a boot writes nothing to flash", async () => {
        const responder = new TimeResponder(brokerTarget(broker.url))
        await responder.start()
        const obs = new Observer(broker.url, "devs/#")
        await obs.start()
        const vm = new VmUnderTest(
            broker.port,
            { SENSORS: EVERY_SENSOR, DIAG_EVERY_MS: 1000 },
            "127.0.0.1",
            undefined,
            "",
            { wifi: true },
        ).start()
        const diag = (m: Observed) => m.topic === `devs/${vm.name}/diagnostics`
        try {
            await within(
                vm.waitForLine(/discovery: \d+ Home Assistant configs published/, EVERY_SENSOR_WAIT_MS),
                EVERY_SENSOR_WAIT_MS,
                "discovery",
            ).catch(e => {
                // Say why (a boot loop shows its OutOfMemory and heap stats here).
                throw new Error(
                    `${(e as Error).message}; the device log ends:\n${vm.log
                        .filter(l => !/^jdif|role/.test(l))
                        .slice(-25)
                        .join("\n")}`,
                )
            })
            await obs.publish(`devs/${vm.name}/set/period_ms`, "700")
            await within(
                vm.waitForLine(/downlink: period_ms set to 700/, EVERY_SENSOR_WAIT_MS),
                EVERY_SENSOR_WAIT_MS,
                "the downlink applied",
            )
            // Boot 1 wrote HA_KEYS (first announcement) and PERIOD_MS (the downlink), each once.
            await within(
                obs.waitFor(m => diag(m) && json(m).settings.writes >= 2, EVERY_SENSOR_WAIT_MS),
                EVERY_SENSOR_WAIT_MS,
                "two settings writes in diagnostics",
            )
            // Each written once: the first diagnostics that counts two writes counts exactly two.
            expect(json(obs.messages.find(m => diag(m) && json(m).settings.writes >= 2)!).settings.writes).toBe(2)
            const boot1 = json(obs.messages.find(diag)!).boot
            const discovered = /discovery: \d+ Home Assistant configs published/
            const secondDiscovery = new Promise<number>(resolve => {
                const on = (l: string) => {
                    if (!discovered.test(l)) return
                    vm.off("line", on)
                    resolve(Date.now())
                }
                vm.on("line", on)
            })
            vm.device.restart("reboot")
            await within(
                vm.waitForLine(/sim: planned reboot; boot 2/, EVERY_SENSOR_WAIT_MS),
                EVERY_SENSOR_WAIT_MS,
                "the reboot",
            )
            const configLines = () => vm.log.filter(l => /config: broker/.test(l))
            // Discovery of boot 2 read HA_KEYS back (a value over 232 B would have panicked here).
            const discoveredAt = await within(secondDiscovery, EVERY_SENSOR_WAIT_MS, "discovery after the reboot")
            const later = await within(
                obs.waitFor(m => diag(m) && json(m).boot !== boot1 && m.atMs > discoveredAt, EVERY_SENSOR_WAIT_MS),
                EVERY_SENSOR_WAIT_MS,
                "diagnostics of boot 2 after its discovery",
            )
            expect(configLines().at(-1)).toMatch(/period 700 ms/)
            // HA_KEYS read back (discovery ran again) and nothing was written at boot.
            expect(vm.log.filter(l => /discovery: \d+ Home Assistant configs published/.test(l))).toHaveLength(2)
            expect(json(later).settings).toEqual({ writes: 0, refused: 0 })
            expect(vm.panics()).toEqual([])
        } finally {
            await vm.stop()
            await obs.stop()
            await responder.stop()
        }
    }, 400_000)
})
