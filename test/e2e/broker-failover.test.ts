/**
 * MQTT_HOSTS (issue 12) with the real bytecode in the VM: two private Mosquittos, the first behind
 * a fault proxy. The proxy cuts the device off and refuses it; the device moves to the second
 * broker and keeps publishing. Independent subscribers on both brokers count every reading.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { missing, seqAtLeast, seqsOf } from "../support/telemetry.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

describe.skipIf(!installed("mosquitto"))("failover across two Mosquittos", () => {
    let first: RunningMosquitto
    let second: RunningMosquitto
    let proxy: ChaosProxy
    let obs1: Observer
    let obs2: Observer
    let vm: VmUnderTest | undefined

    beforeAll(async () => {
        first = await startMosquitto()
        second = await startMosquitto()
        proxy = new ChaosProxy("127.0.0.1", first.port)
        await proxy.start()
        obs1 = new Observer(first.url, "devs/#", `failover-obs1-${process.pid}`)
        obs2 = new Observer(second.url, "devs/#", `failover-obs2-${process.pid}`)
        await obs1.start()
        await obs2.start()
    })
    afterEach(async () => {
        await vm?.stop()
        vm = undefined
    })
    afterAll(async () => {
        await obs1?.stop()
        await obs2?.stop()
        await proxy?.stop()
        await first?.close()
        await second?.close()
    })

    test("the first broker refuses the device: it moves to the second, keeps publishing, and every QoS 1 reading arrives", async () => {
        const hosts = `127.0.0.1:${proxy.port},mqtt://127.0.0.1:${second.port}`
        // MQTT_HOST and MQTT_PORT (the harness sets them) are ignored once MQTT_HOSTS is set.
        vm = new VmUnderTest(first.port, { MQTT_HOSTS: hosts, PERIOD_MS: 300 }).start()
        const name = vm.name
        await vm.waitForLine(new RegExp(`-> connected \\(new session, mqtt://127\\.0\\.0\\.1:${proxy.port}\\)`), 20_000)
        await seqAtLeast(obs1, name, 5, 20_000)

        // Broker 1 goes away for this device: its connection is reset and new ones are refused.
        proxy.refuse = true
        proxy.reset()
        await vm.waitForLine(
            new RegExp(`-> connected \\(new session, mqtt://127\\.0\\.0\\.1:${second.port}\\)`),
            20_000,
        )
        const onFirst = Math.max(...seqsOf(obs1, name))
        await seqAtLeast(obs2, name, onFirst + 15, 30_000)
        // The diagnostics that follow the drain after the connect carry the complete drop counters.
        const diag = await within(
            obs2.waitFor(
                m => m.topic === `devs/${name}/diagnostics` && JSON.parse(m.payload.toString()).mqtt.queue === 0,
                30_000,
            ),
            30_000,
            "diagnostics from the second broker",
        )
        const readingsDropped = JSON.parse(diag.payload.toString()).mqtt.readings_dropped as Record<string, number>

        const all = [...seqsOf(obs1, name), ...seqsOf(obs2, name)]
        // No reading lost: every seq reached one broker or the other, and none was dropped on the device.
        expect(missing(all)).toEqual([])
        expect(readingsDropped).toEqual({})
        // Moved once, and stayed: no attempt went back to the refusing broker while the second worked.
        expect(vm.log.filter(l => /-> connected/.test(l))).toHaveLength(2)
        expect(vm.log.filter(l => l.includes(`connecting (mqtt://127.0.0.1:${proxy.port})`))).toHaveLength(1)
        expect(vm.log.filter(l => /PANIC|Exception/.test(l))).toEqual([])
        expect(vm.panics()).toEqual([])
    }, 120_000)

    test("a bad MQTT_HOSTS entry stops the device at boot with one clear error", async () => {
        vm = new VmUnderTest(second.port, { MQTT_HOSTS: `127.0.0.1:${second.port},127.0.0.1:70000` }).start()
        await vm.waitForLine(
            /config: MQTT_HOSTS entry 2 '127\.0\.0\.1:70000': the port must be an integer in 1\.\.65535/,
            20_000,
        )
        expect(vm.log.filter(l => /mqtt: .*connecting/.test(l))).toEqual([])
        expect(vm.panics()).toEqual([])
    }, 60_000)
})
