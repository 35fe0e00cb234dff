/**
 * Home Assistant identity from the hardware (issue 29, firmware/telemetry/discovery.ts): the bytecode
 * in the VM against Mosquitto. A rename of DEVICE_NAME keeps the discovery node, identifiers and
 * unique_ids (same Home Assistant device, new display name); two boards with one name announce two
 * devices; the configs of the layout before issue 29 are cleared at boot.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer, type Observed } from "../../host-sim/ledger/observer.ts"
import { VmUnderTest, withDeviceLog } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

const WAIT_MS = 30_000
const json = (m: Observed) => JSON.parse(m.payload.toString())

describe.skipIf(!installed("mosquitto"))("the Home Assistant device is the board, not its name", () => {
    let broker: RunningMosquitto
    let observer: Observer

    beforeAll(async () => {
        broker = await startMosquitto()
        observer = new Observer(broker.url, "homeassistant/#", `observer-identity-${process.pid}`)
        await observer.start()
    })
    afterAll(async () => {
        await observer?.stop()
        await broker?.close()
    })

    const nodeOf = (vm: VmUnderTest) => `devs_${vm.device.config.deviceId}`

    /** Runs the VM until its temperature config (published after the old layout's clears) arrives, then stops it. */
    async function announce(vm: VmUnderTest): Promise<Record<string, any>> {
        const t0 = Date.now()
        vm.start()
        try {
            const m = await observer.waitFor(
                x =>
                    x.atMs >= t0 &&
                    x.topic === `homeassistant/sensor/${nodeOf(vm)}/temperature/config` &&
                    x.payload.length > 0 &&
                    json(x).device.name === vm.name,
                WAIT_MS,
                `${vm.name}'s temperature config`,
            )
            expect(vm.panics()).toEqual([])
            return json(m)
        } catch (e) {
            throw withDeviceLog(e, vm)
        } finally {
            await vm.stop()
        }
    }

    /** The retained config a Home Assistant starting now would read on `topic`. */
    async function retainedConfig(topic: string): Promise<Record<string, any>> {
        const late = new Observer(broker.url, topic, `late-${process.pid}-${Date.now()}`)
        await late.start()
        try {
            return json(await late.waitFor(x => x.retain && x.payload.length > 0, WAIT_MS, `retained ${topic}`))
        } finally {
            await late.stop()
        }
    }

    test("a rename keeps the node, identifiers and unique_id; the name and state topics follow", async () => {
        const vm = new VmUnderTest(broker.port, { DEVICE_NAME: `before${process.pid}` })
        const first = await announce(vm)
        vm.device.config.settings.DEVICE_NAME = `after${process.pid}`
        const second = await announce(vm)
        expect(second.unique_id).toBe(first.unique_id)
        expect(second.device.identifiers).toEqual(first.device.identifiers)
        expect(second.device.identifiers).toEqual([nodeOf(vm)])
        expect([first.device.name, second.device.name]).toEqual([`before${process.pid}`, `after${process.pid}`])
        expect(second.state_topic).toBe(`devs/after${process.pid}/telemetry`)
        // Retained: the board's config, under its id, with the new name.
        const retained = await retainedConfig(`homeassistant/sensor/${nodeOf(vm)}/temperature/config`)
        expect(retained.device.name).toBe(`after${process.pid}`)
    })

    test("two boards with one DEVICE_NAME announce two devices, and the old <name>/<key> layout is cleared", async () => {
        const name = `same${process.pid}`
        const one = new VmUnderTest(broker.port, { DEVICE_NAME: name })
        const two = new VmUnderTest(broker.port, { DEVICE_NAME: name })
        expect(nodeOf(one)).not.toBe(nodeOf(two))
        const a = await announce(one)
        const b = await announce(two)
        expect(a.unique_id).not.toBe(b.unique_id)
        expect(a.device.identifiers).not.toEqual(b.device.identifiers)
        for (const vm of [one, two]) {
            const c = await retainedConfig(`homeassistant/sensor/${nodeOf(vm)}/temperature/config`)
            expect(c.unique_id).toBe(`${nodeOf(vm)}_temperature`)
            expect(c.device.name).toBe(name)
        }
        const old = observer.messages.filter(m => m.topic === `homeassistant/sensor/${name}/temperature/config`)
        expect(old.length).toBeGreaterThanOrEqual(2)
        expect(old.every(m => m.payload.length === 0)).toBe(true)
    })
})
