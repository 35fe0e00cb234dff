/**
 * A burst of 1000 QoS 1 publishes from the VM: the stock DeviceScript client
 * panics after ~200 (InfiniteLoop); ours must yield, pace itself on the
 * in-flight window, and deliver every message exactly as counted by an
 * independent subscriber.
 */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startEmbeddedBroker, type RunningBroker } from "../../host-sim/brokers/broker.ts"
import { startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

const BURST = join(PROJECT_DIR, ".devicescript", "burst.devs")
const N = 1000

const brokers: [string, () => Promise<RunningBroker>][] = [
    ["aedes", () => startEmbeddedBroker()],
    ["mosquitto", () => startMosquitto()],
]

for (const [kind, start] of brokers) {
    describe.skipIf(kind === "mosquitto" && !installed("mosquitto"))(`a 1000-message burst to ${kind}`, () => {
        let broker: RunningBroker
        let observer: Observer
        let vm: VmUnderTest

        beforeAll(async () => {
            broker = await start()
            observer = new Observer(broker.url, "devs/+/telemetry")
            await observer.start()
        })
        afterAll(async () => {
            await vm?.stop()
            await observer?.stop()
            await broker?.close()
        })

        test("every message arrives once, in order, and the VM never panics", async () => {
            vm = new VmUnderTest(broker.port, { BURST_N: N, DEVICE_NAME: `burst-${kind}` }, "127.0.0.1", BURST).start()
            const done = await vm.waitForLine(/burst done/, 120_000).catch(e => {
                throw new Error(`${(e as Error).message}; the device log ends:\n${vm.log.slice(-20).join("\n")}`)
            })
            expect(done).toMatch(new RegExp(`burst done: ${N} messages .* acked ${N}, drops \\{\\}`))
            await observer.waitFor(m => JSON.parse(m.payload.toString()).seq === N, 10_000, "the last message")
            const seqs = observer.messages.map(m => JSON.parse(m.payload.toString()).seq as number)
            expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i + 1))
            expect(vm.panics()).toEqual([])
        }, 180_000)
    })
}
