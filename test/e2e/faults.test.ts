/**
 * The bytecode in the VM, through the fault-injection proxy, against real
 * brokers (aedes and Mosquitto). An independent subscriber with a persistent
 * session counts what the broker delivered. Scenario ids: checklist S1-S10.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import { startEmbeddedBroker, type RunningBroker } from "../../host-sim/brokers/broker.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { missing, seqAtLeast, seqsOf } from "../support/telemetry.ts"
import { installed } from "../support/required.ts"

const PUBACK = 4
const HAS_MOSQUITTO = installed("mosquitto")

const brokers: [string, () => Promise<RunningBroker>][] = [
    ["aedes", () => startEmbeddedBroker()],
    ["mosquitto", () => startMosquitto()],
]

for (const [kind, start] of brokers) {
    describe.skipIf(kind === "mosquitto" && !HAS_MOSQUITTO)(`faults against ${kind}`, () => {
        let broker: RunningBroker
        let proxy: ChaosProxy
        let observer: Observer
        let vm: VmUnderTest | undefined

        beforeAll(async () => {
            broker = await start()
            proxy = new ChaosProxy("127.0.0.1", broker.port)
            await proxy.start()
            observer = new Observer(broker.url, "devs/#", `observer-${kind}-${process.pid}`)
            await observer.start()
        })
        afterEach(async () => {
            await vm?.stop()
            vm = undefined
            proxy.blackhole = "none"
            proxy.refuse = false
            proxy.dropNext = []
            proxy.sliceBytes = 0
            proxy.latencyMs = 0
        })
        afterAll(async () => {
            await observer?.stop()
            await proxy?.stop()
            await broker?.close()
        })

        test("S2: a connection reset after a PUBLISH and before its PUBACK loses nothing", async () => {
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 200 }).start()
            await seqAtLeast(observer, vm.name, 3, 20_000)
            proxy.once("dropped", () => proxy.reset())
            proxy.dropNext = [PUBACK]
            const before = proxy.connections
            await within(new Promise(r => proxy.once("connection", r)), 10_000, "the reconnection")
            expect(proxy.connections).toBeGreaterThan(before)
            const target = Math.max(...seqsOf(observer, vm.name)) + 5
            await seqAtLeast(observer, vm.name, target, 20_000)
            expect(missing(seqsOf(observer, vm.name))).toEqual([])
            expect(vm.panics()).toEqual([])
        }, 60_000)

        test("S1: after a broker restart every telemetry seq arrives at least once", async () => {
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 200 }).start()
            await seqAtLeast(observer, vm.name, 5, 20_000)
            await broker.restart()
            const target = Math.max(...seqsOf(observer, vm.name)) + 10
            await seqAtLeast(observer, vm.name, target, 30_000)
            expect(missing(seqsOf(observer, vm.name))).toEqual([])
            expect(vm.panics()).toEqual([])
        }, 60_000)

        test("S3 C36 C79: a half-open link is detected by the device and the broker publishes the Will", async () => {
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 500, KEEPALIVE_S: 2 }).start()
            const name = vm.name
            await seqAtLeast(observer, name, 2, 20_000)
            const t0 = Date.now()
            proxy.blackhole = "both"
            // Broker side: keepalive expiry after 1.5 x KA publishes the retained Will.
            await within(
                observer.waitFor(
                    m => m.topic === `devs/${name}/status` && m.payload.toString() === "offline" && m.atMs >= t0,
                    20_000,
                ),
                15_000,
                "the Will",
            )
            // Device side: its PINGRESP deadline fires within 1.5 x KA (+ scheduling slack).
            await vm.waitForLine(/keepalive_timeout/, 10_000)
            proxy.blackhole = "none"
            await within(
                observer.waitFor(
                    m => m.topic === `devs/${name}/status` && m.payload.toString() === "online" && m.atMs > t0,
                    20_000,
                ),
                15_000,
                "online again",
            )
            expect(vm.panics()).toEqual([])
        }, 60_000)

        test("S5 C82: broker-to-device bytes in 1-byte slices give the same result: every seq, no protocol error", async () => {
            proxy.sliceBytes = 1
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 200 }).start()
            await seqAtLeast(observer, vm.name, 10, 30_000)
            expect(missing(seqsOf(observer, vm.name))).toEqual([])
            expect(vm.log.filter(l => /protocol violation/.test(l))).toEqual([])
            expect(vm.panics()).toEqual([])
        }, 60_000)

        test("S6: 400 ms latency each way causes no spurious keepalive timeout and keeps order", async () => {
            proxy.latencyMs = 400
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 200, KEEPALIVE_S: 2 }).start()
            await seqAtLeast(observer, vm.name, 20, 40_000)
            const seqs = seqsOf(observer, vm.name)
            expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
            expect(missing(seqs)).toEqual([])
            expect(vm.log.filter(l => /keepalive_timeout/.test(l))).toEqual([])
        }, 60_000)

        test("S10: while the broker is unreachable the queue stays bounded, the newest messages survive, the gap is the drop count", async () => {
            vm = new VmUnderTest(proxy.port, { PERIOD_MS: 100, QUEUE_MAX: 20 }).start()
            const name = vm.name
            await seqAtLeast(observer, name, 3, 20_000)
            proxy.refuse = true
            proxy.reset()
            // The scenario itself: up to 10 messages/s for 10 s against a 20-message queue overflows it,
            // even on a loaded machine where the VM runs at a fraction of that rate.
            await new Promise(r => setTimeout(r, 10_000))
            proxy.refuse = false
            const lastBefore = Math.max(...seqsOf(observer, name))
            await within(
                observer.waitFor(
                    m => m.topic === `devs/${name}/telemetry` && JSON.parse(m.payload.toString()).seq > lastBefore + 60,
                    30_000,
                ),
                30_000,
                "telemetry after the outage",
            )
            const seqs = seqsOf(observer, name)
            const gap = missing(seqs)
            // Something was dropped (the outage was longer than the queue), and only the oldest:
            expect(gap.length).toBeGreaterThan(0)
            const firstMissing = Math.min(...gap)
            const lastMissing = Math.max(...gap)
            expect(lastMissing - firstMissing + 1).toBe(gap.length)
            expect(firstMissing).toBeGreaterThan(lastBefore)
            // What survived the outage is at most the queue bound.
            const afterGap = seqs.filter(s => s > lastMissing)
            expect(afterGap.length).toBeGreaterThan(0)
            // Survivors of the outage: at most the queue (20) plus the in-flight window (8).
            const survivors =
                seqs.filter(s => s > lastBefore && s < firstMissing).length +
                afterGap.filter(s => s <= lastMissing + 20).length
            expect(survivors).toBeLessThanOrEqual(20 + 8)
            expect(vm.panics()).toEqual([])
        }, 90_000)
    })
}
