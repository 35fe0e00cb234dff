/**
 * Issue 22, "no message can stop the device": messages larger than the device takes, on every topic
 * it subscribes to, under the plain simulator and the ESP32 and Pico W profiles, from a private
 * Mosquitto through the fault proxy. Before: a 20 KB QoS 1 command was an OutOfMemory panic that the
 * broker's redelivery repeated after every boot, and a 1 KB+ one a reconnect loop; now each is
 * acknowledged, counted and answered once, and the readings go on over the same connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import type { BoardId } from "../../host-sim/board/profiles.ts"
import type { RunningBroker } from "../../host-sim/brokers/broker.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer, type Observed } from "../../host-sim/ledger/observer.ts"
import { SESSION_DEFAULTS } from "../../firmware/mqtt/options.ts"
import { missing, seqAtLeast, seqsOf } from "../support/telemetry.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

const HAS_MOSQUITTO = installed("mosquitto")
const LIMIT = SESSION_DEFAULTS.maxInboundBytes

function connections(vm: VmUnderTest): number {
    return vm.log.filter(l => /-> connected/.test(l)).length
}

function answers(obs: Observer, device: string): string[] {
    return obs.messages
        .filter(m => m.topic === `devs/${device}/log`)
        .map(m => (JSON.parse(m.payload.toString()) as { msg: string }).msg)
}

function latestDiagnostics(obs: Observer, device: string): { mqtt: Record<string, unknown> } | undefined {
    const all = obs.messages.filter(m => m.topic === `devs/${device}/diagnostics`)
    return all.length ? JSON.parse(all[all.length - 1].payload.toString()) : undefined
}

const GC_STRESS = process.env.DEVS_GC_STRESS === "1"
const SLOW = GC_STRESS ? 6 : 1

describe.skipIf(!HAS_MOSQUITTO)("messages larger than the device takes (issue 22)", () => {
    let broker: RunningBroker
    let proxy: ChaosProxy
    let observer: Observer
    let vm: VmUnderTest | undefined

    beforeAll(async () => {
        broker = await startMosquitto()
        proxy = new ChaosProxy("127.0.0.1", broker.port)
        await proxy.start()
        observer = new Observer(broker.url, "devs/#", `observer-hostile-${process.pid}`)
        await observer.start()
    })
    afterEach(async () => {
        await vm?.stop()
        vm = undefined
    })
    afterAll(async () => {
        await observer?.stop()
        await proxy?.stop()
        await broker?.close()
    })

    describe.each(["sim", "esp32", "picow"] as const)("%s", (board: BoardId) => {
        test("20 KB and 1.5 KB QoS 1 commands and a 20 KB QoS 0 time answer: each acknowledged, counted and answered once; readings go on over one connection, one boot", async () => {
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 300, DIAG_EVERY_MS: 1000 }, "127.0.0.1", undefined, "", {
                board,
            }).start()
            const name = vm.name
            // A valid command first: its answer shows the device is subscribed.
            await seqAtLeast(observer, name, 2, 30_000)
            await observer.publish(`devs/${name}/set/period_ms`, "400", 1)
            await within(
                observer.waitFor(m => m.topic === `devs/${name}/log`, 20_000),
                15_000,
                "the answer to a valid command",
            )
            const hostile: [string, number, 0 | 1][] = [
                [`devs/${name}/set/period_ms`, 20_000, 1],
                [`devs/${name}/set/period_ms`, 1_500, 1],
                [`devs/${name}/time/resp`, 20_000, 0],
            ]
            const dropped = (m: Observed) => m.topic === `devs/${name}/log` && /dropped a/.test(m.payload.toString())
            try {
                // One at a time: while an answer to refused input waits in the queue, a newer one replaces it.
                for (const [topic, size, qos] of hostile) {
                    const seen = observer.messages.filter(dropped).length
                    await observer.publish(topic, Buffer.alloc(size, 0x31), qos)
                    await within(
                        observer.waitFor(m => dropped(m) && observer.messages.filter(dropped).length > seen, 30_000),
                        25_000,
                        `the answer naming the ${size} B message on ${topic}`,
                    )
                }
                const target = Math.max(...seqsOf(observer, name)) + 8
                await seqAtLeast(observer, name, target, 30_000)
                await within(
                    observer.waitFor(m => {
                        if (m.topic !== `devs/${name}/diagnostics`) return false
                        const d = JSON.parse(m.payload.toString())
                        return (d.mqtt.inbound_dropped?.too_large ?? 0) >= hostile.length
                    }, 20_000),
                    15_000,
                    "diagnostics counting the drops",
                )
            } catch (e) {
                throw new Error(`${(e as Error).message}\n--- device log ---\n${vm.log.slice(-60).join("\n")}`)
            }
            const said = answers(observer, name).filter(a => /dropped a/.test(a))
            for (const [topic, size] of hostile)
                expect(said.filter(a => a.includes(`${size} B message on ${topic}`))).toHaveLength(1)
            expect(said[0]).toContain(`at most ${LIMIT} B`)
            expect(latestDiagnostics(observer, name)!.mqtt.inbound_dropped).toEqual({ too_large: hostile.length })
            expect(missing(seqsOf(observer, name))).toEqual([])
            expect(connections(vm)).toBe(1)
            expect(vm.log.filter(l => /boot \d+ starts/.test(l))).toEqual([])
            expect(vm.panics()).toEqual([])
        }, 120_000)

        // Under GC stress (npm run test:interop) a collection on every allocation makes the VM far slower:
        // one board, a calmer device, and the waits scaled; the sequence and the checks are the same.
        test.skipIf(GC_STRESS && board !== "sim")(
            "300 period commands back to back, then a reboot: no panic, a bounded number of flash writes, and the last value boots",
            async () => {
                vm = new VmUnderTest(
                    proxy.port,
                    GC_STRESS ? { PERIOD_MS: 2000, DIAG_EVERY_MS: 5000 } : { PERIOD_MS: 300, DIAG_EVERY_MS: 1000 },
                    "127.0.0.1",
                    undefined,
                    "",
                    {
                        board,
                    },
                ).start()
                const name = vm.name
                const log = (m: Observed) => m.topic === `devs/${name}/log`
                let writes = -1
                try {
                    await seqAtLeast(observer, name, 2, SLOW * 30_000)
                    await observer.publish(`devs/${name}/set/period_ms`, "400", 1)
                    await within(observer.waitFor(log, SLOW * 20_000), SLOW * 15_000, "the answer to a valid command")
                    const values = Array.from({ length: 300 }, (_, i) => 1000 + i)
                    const last = values[values.length - 1]
                    await Promise.all(values.map(v => observer.publish(`devs/${name}/set/period_ms`, String(v), 1)))
                    const answered = await within(
                        observer.waitFor(
                            m => log(m) && m.payload.toString().includes(`period_ms set to ${last}"`),
                            SLOW * 60_000,
                        ),
                        SLOW * 55_000,
                        `the answer naming ${last}`,
                    )
                    // The last answer comes after the last write: the first report after it counts them all.
                    const report = await within(
                        observer.waitFor(
                            m => m.topic === `devs/${name}/diagnostics` && m.atMs > answered.atMs,
                            SLOW * 20_000,
                        ),
                        SLOW * 15_000,
                        "diagnostics after the last answer",
                    )
                    writes = JSON.parse(report.payload.toString()).settings.writes
                    const applied = answers(observer, name).filter(a => /period_ms set to/.test(a)).length
                    console.log(`${board}: 300 commands -> ${applied} answers, ${writes} flash writes`)
                    vm.device.restart("reboot")
                    await within(
                        vm.waitForLine(/sim: planned reboot; boot 2/, SLOW * 20_000),
                        SLOW * 20_000,
                        "the reboot",
                    )
                    await within(
                        new Promise<void>(resolve => {
                            const check = () => {
                                if (vm!.log.filter(l => /config: broker/.test(l)).length >= 2) resolve()
                            }
                            vm!.on("line", check)
                            check()
                        }),
                        SLOW * 30_000,
                        "the config line of boot 2",
                    )
                } catch (e) {
                    throw new Error(`${(e as Error).message}\n--- device log ---\n${vm.log.slice(-60).join("\n")}`)
                }
                const configs = vm.log.filter(l => /config: broker/.test(l))
                expect(configs[1]).toMatch(/period 1299 ms/)
                // One write at a time, coalesced to the newest value: far fewer writes than commands (the 400 before counts one).
                expect(writes).toBeGreaterThanOrEqual(2)
                expect(writes).toBeLessThanOrEqual(30)
                expect(vm.log.filter(l => /ERR_MEM|fiber not suspended/.test(l))).toEqual([])
                expect(vm.panics()).toEqual([])
            },
            SLOW * 180_000,
        )
    })

    test("a lying time server (10 years back, 10 years ahead, 1e300, then an hour back): ts is never absurd and never goes backwards", async () => {
        vm = new VmUnderTest(proxy.port, { PERIOD_MS: 300, DIAG_EVERY_MS: 1000 }).start()
        const name = vm.name
        const YEAR_MS = 365.25 * 24 * 3600 * 1000
        const lies = [-10 * YEAR_MS, 10 * YEAR_MS, NaN, 0, -3_600_000]
        let asked = 0
        const answerer = (m: Observed) => {
            if (m.topic !== `devs/${name}/time/req`) return
            const lie = lies[Math.min(asked++, lies.length - 1)]
            const now = Number.isNaN(lie) ? 1e300 : Date.now() + lie
            void observer.publish(`devs/${name}/time/resp`, JSON.stringify({ t: Number(m.payload.toString()), now }), 0)
        }
        observer.on("message", answerer)
        const tsOf = () =>
            observer.messages
                .filter(m => m.topic === `devs/${name}/telemetry`)
                .map(m => JSON.parse(m.payload.toString()).ts as number | undefined)
        try {
            // Three refused answers (the device asks again after 3, 6 and 12 s), then the truth.
            await within(
                observer.waitFor(
                    m => m.topic === `devs/${name}/telemetry` && JSON.parse(m.payload.toString()).ts > 0,
                    60_000,
                ),
                55_000,
                "a reading with ts after three refused answers and a true one",
            )
            // A reconnect starts a new round: this answer is an hour back.
            proxy.reset()
            await within(
                observer.waitFor(m => {
                    if (m.topic !== `devs/${name}/diagnostics`) return false
                    return JSON.parse(m.payload.toString()).time.steps_back >= 1
                }, 30_000),
                25_000,
                "diagnostics counting the step back",
            )
            const target = Math.max(...seqsOf(observer, name)) + 5
            await seqAtLeast(observer, name, target, 20_000)
        } catch (e) {
            throw new Error(`${(e as Error).message}\n--- device log ---\n${vm.log.slice(-60).join("\n")}`)
        } finally {
            observer.off("message", answerer)
        }
        const ts = tsOf().filter((t): t is number => typeof t === "number")
        expect(ts.length).toBeGreaterThan(5)
        for (const t of ts) expect(Math.abs(t - Date.now())).toBeLessThan(10 * 60_000)
        for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1])
        const diag = latestDiagnostics(observer, name) as unknown as { time: { refused: number; steps_back: number } }
        expect(diag.time.refused).toBeGreaterThanOrEqual(3)
        expect(vm.log.filter(l => /time: refused an answer/.test(l)).length).toBeGreaterThanOrEqual(3)
        expect(vm.panics()).toEqual([])
    }, 120_000)
})
