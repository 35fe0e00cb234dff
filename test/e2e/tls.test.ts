/**
 * TLS in the simulator: the VM's socket uses Node's TLS with the system CA
 * store plus NODE_EXTRA_CA_CERTS. A test CA is made for the run; verification
 * stays on, so a device that does not trust the CA must fail, clearly.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startEmbeddedBroker, type RunningBroker } from "../../host-sim/brokers/broker.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { DEFAULT_BYTECODE } from "../../host-sim/simulation.ts"
import { makeTestCa, type TestCa } from "../support/test-ca.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"

describe("mqtts:// to aedes with a test CA", () => {
    let ca: TestCa
    let broker: RunningBroker
    let observer: Observer
    const vms: VmUnderTest[] = []

    beforeAll(async () => {
        ca = makeTestCa()
        broker = await startEmbeddedBroker(0, { key: ca.key, cert: ca.cert })
        observer = new Observer(broker.url.replace("127.0.0.1", "localhost"), "devs/#", "", { caFile: ca.caFile })
        await observer.start()
    })
    afterAll(async () => {
        for (const vm of vms) await vm.stop()
        await observer?.stop()
        await broker?.close()
        ca?.remove()
    })

    test("a device that trusts the CA connects over TLS and publishes telemetry", async () => {
        const vm = new VmUnderTest(
            broker.port,
            { MQTT_TLS: true, PERIOD_MS: 300 },
            "localhost",
            DEFAULT_BYTECODE,
            ca.caFile,
        ).start()
        vms.push(vm)
        await observer.waitFor(m => m.topic === `devs/${vm.name}/telemetry`, 20_000, "telemetry over TLS")
        expect(vm.log.join("\n")).toMatch(/mqtts:\/\/localhost/)
    })

    test("a device that does not trust the CA fails with a certificate error and keeps retrying, never connecting", async () => {
        const vm = new VmUnderTest(broker.port, { MQTT_TLS: true, PERIOD_MS: 300 }, "localhost").start()
        vms.push(vm)
        const line = await vm.waitForLine(/connect_failed/, 20_000)
        expect(line).toMatch(/certificate|self.signed|unable to verify/i)
        expect(observer.messages.some(m => m.topic === `devs/${vm.name}/telemetry`)).toBe(false)
        expect(vm.panics()).toEqual([])
    })
})
