/**
 * What most e2e files set up the same way: a private Mosquitto, the fault proxy in front of it when
 * asked for, and an independent observer, started before the file's tests and stopped after them;
 * and a device run that always ends with the checks every e2e owes (no PANIC, no Exception) and
 * carries the device's last log lines when it fails.
 */
import mqtt from "mqtt"
import { afterAll, beforeAll, expect } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest, withDeviceLog } from "../../host-sim/device/vm-under-test.ts"

export interface MosquittoRig {
    broker: RunningMosquitto
    observer: Observer
    /** Only with `proxy: true`: between the devices and the broker. */
    proxy: ChaosProxy
}

/** Call in a describe block: the rig's fields are set in its beforeAll. */
export function useMosquittoRig(name: string, o: { proxy?: boolean; filter?: string } = {}): MosquittoRig {
    const rig = {} as MosquittoRig
    beforeAll(async () => {
        rig.broker = await startMosquitto()
        if (o.proxy) {
            rig.proxy = new ChaosProxy("127.0.0.1", rig.broker.port)
            await rig.proxy.start()
        }
        rig.observer = new Observer(rig.broker.url, o.filter ?? "devs/#", `observer-${name}-${process.pid}`)
        await rig.observer.start()
    })
    afterAll(async () => {
        await rig.observer?.stop()
        await rig.proxy?.stop()
        await rig.broker?.close()
    })
    return rig
}

/** Runs `body` with the started device, then checks its log for PANIC and Exception; always stops it. */
export async function checkedRun(vm: VmUnderTest, body: () => Promise<void>): Promise<void> {
    try {
        await body()
        expect(vm.panics()).toEqual([])
        expect(vm.log.filter(l => /Exception/.test(l))).toEqual([])
    } catch (e) {
        throw withDeviceLog(e, vm)
    } finally {
        await vm.stop()
    }
}

/** The retained status of device `name` a new subscriber gets now from the broker at `url`. */
export async function retainedStatus(url: string, name: string): Promise<string> {
    const c = await mqtt.connectAsync(url, { clientId: `peek-${process.pid}-${Date.now()}` })
    try {
        const got = new Promise<string>(resolve => c.on("message", (_t, p) => resolve(p.toString())))
        await c.subscribeAsync(`devs/${name}/status`)
        return await within(got, 5000, "the retained status")
    } finally {
        await c.endAsync()
    }
}
