/**
 * Issue 23, "silence is a finding", with the real bytecode against a private Mosquitto: a device
 * whose link is blackholed mid-run until the end sends nothing more while everything else looks
 * fine. `npm run verify` (its own process, behind its own proxy so that it loses the broker once
 * itself) reports the device silent, prints its own hole, and exits 1 for the silence alone; the
 * ledger the simulator's summary prints says the same.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { deviceLedgers, silenceBoundMs } from "../../host-sim/ledger/ledger.ts"
import { ledgerInputs } from "../../host-sim/ledger/ledger-inputs.ts"
import { formatLedgers } from "../../host-sim/ledger/ledger-report.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { runVerify } from "../support/run-verify.ts"
import { seqAtLeast, seqsOf } from "../support/telemetry.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

const PERIOD_MS = 500
const WAIT_MS = 40_000
/** Past the silence bound after the blackhole: what verify must observe for the device to be silent. */
const MARGIN_MS = 2000

describe.skipIf(!installed("mosquitto"))("silence is a finding (issue 23), against mosquitto", () => {
    let broker: RunningMosquitto

    beforeAll(async () => {
        broker = await startMosquitto()
    })
    afterAll(async () => {
        await broker?.close()
    })

    test("a device blackholed until the end is reported silent by verify and the summary, verify prints its own hole and exits 1", async () => {
        const deviceProxy = new ChaosProxy("127.0.0.1", broker.port)
        const verifyProxy = new ChaosProxy("127.0.0.1", broker.port)
        await deviceProxy.start()
        await verifyProxy.start()
        const observer = new Observer(broker.url, "devs/#")
        await observer.start()
        const verify = runVerify(`mqtt://127.0.0.1:${verifyProxy.port}`)
        const vm = new VmUnderTest(deviceProxy.port, { PERIOD_MS })
        try {
            await within(verify.listening, 30_000, "verify listening")
            vm.start()
            await seqAtLeast(observer, vm.name, 3, WAIT_MS)
            // Verify loses the broker once (a reset of its own link); it reconnects on its own.
            const back = new Promise(resolve => verifyProxy.once("connection", resolve))
            verifyProxy.reset()
            await within(back, 10_000, "verify's reconnection")
            await seqAtLeast(observer, vm.name, Math.max(...seqsOf(observer, vm.name)) + 3, WAIT_MS)
            // From here on nothing passes either way and the sockets stay open: the device's status stays online.
            deviceProxy.blackhole = "both"
            // The scenario is a span of time: verify must listen for longer than the bound after the last reading.
            await new Promise(resolve => setTimeout(resolve, silenceBoundMs(PERIOD_MS) + MARGIN_MS))
            const observation = observer.observation()
            verify.interrupt()
            const { code, out } = await within(verify.done, 30_000, "verify's report")
            console.log(out)
            const name = vm.name
            expect(out).toMatch(/^observer: listened \S+ to \S+, lost the broker 1 time /m)
            expect(out).toMatch(/^ {2}away \S+ to \S+ \(\d+\.\d s\)$/m)
            const silent = new RegExp(
                `^${name}: \\d+ readings, \\d+ duplicates, \\d+ missing, 0 reboots seen(?: \\(\\d+ missing while the observer was away\\))?, ` +
                    `SILENT since (\\S+) \\(≈ (\\d+) readings expected at its period of (\\d+) ms\\)$`,
                "m",
            )
            const m = out.match(silent)
            expect(m, `a silent line for ${name}`).not.toBeNull()
            const [, since, expected, period] = m!
            // The receipt of its last reading (one still on its way to verify at the blackhole may land just after).
            expect(Date.parse(since)).toBeGreaterThan(observation.startMs)
            expect(Math.abs(Number(period) - PERIOD_MS)).toBeLessThan(50)
            expect(Number(expected)).toBeGreaterThanOrEqual(Math.floor(silenceBoundMs(PERIOD_MS) / Number(period)))
            expect(out).not.toMatch(new RegExp(`^${name}: .*every gap explained`, "m"))
            // Non-zero for the silence alone: what verify missed in its own hole is not the device's loss.
            expect(out).toMatch(new RegExp(`^error: ${name} went silent while the observer listened$`, "m"))
            expect(code).toBe(1)
            // The simulator's end summary is the same ledger over its observer's messages.
            const { readings, diagnostics } = ledgerInputs(observer.messages)
            const summary = formatLedgers(deviceLedgers(readings, diagnostics, observation), observation)
            expect(summary).toMatch(new RegExp(`^${name}: .*, SILENT since \\S+ \\(≈ \\d+ readings expected`, "m"))
            expect(summary).toMatch(/^observer: listened \S+ to \S+, never lost the broker$/m)
            expect(vm.panics()).toEqual([])
        } finally {
            verify.kill()
            await vm.stop()
            await observer.stop()
            await verifyProxy.stop()
            await deviceProxy.stop()
        }
    }, 120_000)
})
