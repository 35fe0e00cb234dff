/**
 * Issue 28: a second `npm start` watching the same broker reported another device's readings, sent
 * before it began listening, as lost ("14 LOST AFTER THE BROKER ACKNOWLEDGED THEM": the device's
 * `readings_acked` counts its whole boot), and `npm run verify` started on a busy broker exited 1 for
 * the same reason. Against a private Mosquitto: a first simulator run with device `other1`, then
 * `verify` and a second `npm start` (device `sim1`). The second run judges only `sim1` and lists
 * `other1` apart, not judged; `verify` judges both and calls `other1`'s earlier seqs "before the
 * observer listened", and exits 0. test/host-sim/ledger.test.ts covers the rules one by one.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { PROJECT_DIR, Simulation } from "../../host-sim/simulation.ts"
import { CliProcess } from "../../host-sim/cli/cli-process.ts"
import { runVerify, type VerifyRun } from "../support/run-verify.ts"
import { within } from "../../host-sim/cli/within.ts"
import { installed } from "../support/required.ts"

const CLI = join(PROJECT_DIR, "host-sim", "cli.ts")
const WAIT_MS = 60_000
const PERIOD_MS = 500
/** Readings `other1` has sent before the second run starts: enough that they matter, few enough to be quick. */
const FIRST_RUN_READINGS = 10

const panics = (lines: string[]) => lines.filter(l => /PANIC|Exception/.test(l))

describe.skipIf(!installed("mosquitto"))("a second run on a broker that already has devices (issue 28)", () => {
    let broker: RunningMosquitto
    let dir: string

    beforeAll(async () => {
        broker = await startMosquitto()
        // The second run's project: the committed .env.defaults (DEVICE_NAME sim1), nothing local.
        dir = mkdtempSync(join(tmpdir(), "devs-second-run-"))
        copyFileSync(join(PROJECT_DIR, ".env.defaults"), join(dir, ".env.defaults"))
    })
    afterAll(async () => {
        await broker?.close()
        if (dir) rmSync(dir, { recursive: true, force: true })
    })

    test("the second npm start judges only its own device and lists the other apart; verify calls the other's earlier readings 'before the observer listened' and exits 0", async () => {
        const firstLog: string[] = []
        const first = new Simulation({
            brokerUrl: broker.url,
            periodMs: PERIOD_MS,
            // A report every second: the second run and verify see other1's readings_acked, which counts from its boot.
            settings: { DEVICE_NAME: "other1", DIAG_EVERY_MS: 1000 },
            onDeviceLog: (_, line) => firstLog.push(line),
        })
        let verify: VerifyRun | undefined
        let second: CliProcess | undefined
        try {
            await first.start()
            await within(
                first.observer.waitFor(
                    m =>
                        m.topic === "devs/other1/telemetry" &&
                        JSON.parse(m.payload.toString()).seq >= FIRST_RUN_READINGS,
                    WAIT_MS,
                ),
                WAIT_MS,
                `other1's reading ${FIRST_RUN_READINGS}`,
            )
            // verify and the second run start listening now, after other1 has sent its first readings.
            verify = runVerify(broker.url)
            await within(verify.listening, WAIT_MS, "verify to listen")
            second = new CliProcess(
                CLI,
                [
                    "--broker",
                    broker.url,
                    "--period",
                    String(PERIOD_MS),
                    "--no-dashboard",
                    "--view",
                    "lines",
                    "--verbose",
                ],
                dir,
            )
            // Its own device's fifth reading, and two of other1's reports after it listened (verify, listening
            // since before, has the first of them by the time the second arrives here).
            await second.waitFor(/ sim1 {2}#5 /, WAIT_MS)
            await second.waitFor(/ other1 {2}diagnostics:[\s\S]* other1 {2}diagnostics:/, WAIT_MS)

            // Ctrl-C: both print their ledger and exit.
            second.child.kill("SIGINT")
            expect(await within(second.exited, WAIT_MS, "the second run to stop")).toBe(0)
            verify.interrupt()
            const v = await within(verify.done, WAIT_MS, "verify to report")

            const summary = second.output.slice(second.output.indexOf("observer: listened"))
            expect(summary).toMatch(
                /^sim1: \d+ readings, 0 duplicates, 0 missing, 0 reboots seen, every gap explained/m,
            )
            expect(summary).not.toMatch(/^other1:/m)
            expect(summary).toMatch(
                /^also seen on the broker, not started by this run \(not judged here; npm run verify judges every device\):\n {2}other1: \d+ readings, boot [0-9a-f]{12} seq \d+\.\.\d+$/m,
            )
            expect(summary).not.toMatch(/NOT EXPLAINED|LOST AFTER/)

            expect(v.out).toMatch(
                /^other1: \d+ readings, 0 duplicates, 0 missing, 0 reboots seen, every gap explained/m,
            )
            const boot =
                /^ {2}boot [0-9a-f]{12}: seq (\d+)\.\.\d+ \(1-(\d+) before the observer listened\), .*; device dropped: none$/m.exec(
                    v.out,
                )
            expect(boot, v.out).not.toBe(null)
            expect(Number(boot![2])).toBe(Number(boot![1]) - 1)
            expect(Number(boot![1])).toBeGreaterThan(FIRST_RUN_READINGS)
            expect(v.out).toMatch(/^sim1: \d+ readings, .*every gap explained/m)
            expect(v.out).not.toMatch(/NOT EXPLAINED|LOST AFTER/)
            expect(v.code, v.out).toBe(0)

            // Every device log line of the second run is in its output (--verbose).
            expect(panics(second.output.split("\n").filter(l => /^\s*\[sim1\]/.test(l)))).toEqual([])
            expect(panics(firstLog)).toEqual([])
        } finally {
            verify?.kill()
            await second?.stop()
            await first.stop()
        }
    }, 180_000)
})
