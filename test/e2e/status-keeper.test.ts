/**
 * Status that tells the truth (issue 23, firmware/telemetry/status-keeper.ts): the bytecode in the
 * VM against Mosquitto. A retained `offline` published on a connected device's status topic (a
 * stale Will, a wrong manual publish) is answered with `online`; Home Assistant's birth and the
 * `rebirth` command bring discovery, status and diagnostics again; two devices with one name do
 * not ping-pong their status.
 */
import mqtt from "mqtt"
import { describe, expect, test } from "vitest"
import { CORRECTIONS_PER_MINUTE } from "../../firmware/telemetry/topics.ts"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { within } from "../../host-sim/cli/within.ts"
import { checkedRun, retainedStatus, useMosquittoRig } from "../support/mosquitto-rig.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { seqAtLeast } from "../support/telemetry.ts"
import { installed } from "../support/required.ts"

describe.skipIf(!installed("mosquitto"))("the device keeps its status and discovery true", () => {
    const rig = useMosquittoRig("status", { filter: "#" })

    async function withDevice(settings: Record<string, string | number>, body: (vm: VmUnderTest) => Promise<void>) {
        const vm = new VmUnderTest(rig.broker.port, settings).start()
        await checkedRun(vm, async () => {
            await seqAtLeast(rig.observer, vm.name, 2, 30_000)
            await body(vm)
        })
    }

    test("ten 'offline's in a row get at most CORRECTIONS_PER_MINUTE answers, then the device says why", async () => {
        await withDevice({}, async vm => {
            const topic = `devs/${vm.name}/status`
            const c = await mqtt.connectAsync(rig.broker.url, { clientId: `rogue-${process.pid}` })
            try {
                for (let i = 0; i < 10; i++) await c.publishAsync(topic, "offline", { qos: 1, retain: true })
            } finally {
                await c.endAsync()
            }
            const warning = await vm.waitForLine(/second device/, 10_000)
            expect(warning).toMatch(/is a second device using this name/)
            // Several arriving together get one answer; never more than the bound.
            const answers = vm.log.filter(l => /answered with 'online'/.test(l)).length
            expect(answers).toBeGreaterThanOrEqual(1)
            expect(answers).toBeLessThanOrEqual(CORRECTIONS_PER_MINUTE)
            await rig.observer.waitFor(
                m => m.topic === `devs/${vm.name}/log` && /second device/.test(m.payload.toString()),
                10_000,
                "the warning on the log topic",
            )
            // The last word is the device's: its status is online again.
            await rig.observer.waitFor(m => m.topic === topic && m.payload.toString() === "online", 10_000, "online")
        })
    })

    test("a retained 'offline' on a connected device's status topic is answered with 'online'", async () => {
        await withDevice({}, async vm => {
            const topic = `devs/${vm.name}/status`
            const t0 = Date.now()
            const c = await mqtt.connectAsync(rig.broker.url, { clientId: `stale-will-${process.pid}` })
            await c.publishAsync(topic, "offline", { qos: 1, retain: true })
            await c.endAsync()
            await rig.observer.waitFor(
                m => m.topic === topic && m.payload.toString() === "online" && m.atMs > t0,
                10_000,
                "online again",
            )
            await vm.waitForLine(/answered with 'online'/, 5000)
            expect(await retainedStatus(rig.broker.url, vm.name)).toBe("online")
        })
    })

    test("Home Assistant's birth and the rebirth command bring discovery, status and diagnostics again", async () => {
        await withDevice({}, async vm => {
            const name = vm.name
            const since = (t0: number, pred: (topic: string) => boolean) =>
                rig.observer.messages.filter(m => m.atMs > t0 && pred(m.topic)).length
            const isDiscovery = (t: string) => t.startsWith(`homeassistant/sensor/devs_${vm.device.config.deviceId}/`)
            await rig.observer.waitFor(m => isDiscovery(m.topic), 10_000, "the first discovery")

            const t1 = Date.now()
            await rig.observer.publish("homeassistant/status", "online", 0)
            await vm.waitForLine(/rebirth/, 10_000)
            await rig.observer.waitFor(m => m.atMs > t1 && isDiscovery(m.topic), 10_000, "discovery after HA's birth")
            await rig.observer.waitFor(
                m => m.atMs > t1 && m.topic === `devs/${name}/status` && m.payload.toString() === "online",
                10_000,
                "status after HA's birth",
            )

            const t2 = Date.now()
            await rig.observer.publish(`devs/${name}/cmd/rebirth`, "", 1)
            await rig.observer.waitFor(
                m => m.atMs > t2 && m.topic === `devs/${name}/diagnostics`,
                10_000,
                "diagnostics after rebirth",
            )
            await rig.observer.waitFor(m => m.atMs > t2 && isDiscovery(m.topic), 10_000, "discovery after rebirth")
            expect(since(t2, t => t === `devs/${name}/status`)).toBeGreaterThanOrEqual(1)
        })
    })

    test("two devices with one name: status corrections stay within their bound, no panic", async () => {
        const name = `twin${process.pid}`
        const a = new VmUnderTest(rig.broker.port, { DEVICE_NAME: name }).start()
        const b = new VmUnderTest(rig.broker.port, { DEVICE_NAME: name }).start()
        try {
            const t0 = Date.now()
            // Each takes the client id from the other, and the broker publishes the Will of the one it
            // drops: wait until the firmware's own conflict heuristic (S12) has seen it happen.
            await within(
                Promise.race([
                    a.waitForLine(/another client using client id/, 100_000),
                    b.waitForLine(/another client using client id/, 100_000),
                ]),
                100_000,
                "the client-id conflict",
            )
            const minutes = Math.ceil((Date.now() - t0) / 60_000)
            for (const vm of [a, b]) {
                const corrections = vm.log.filter(l => /answered with 'online'/.test(l)).length
                expect(corrections).toBeLessThanOrEqual((minutes + 1) * CORRECTIONS_PER_MINUTE)
                expect(vm.panics()).toEqual([])
            }
        } finally {
            await a.stop()
            await b.stop()
        }
    }, 150_000)
})
