/**
 * Recovery after the broker comes back: DEVICES simulated devices with the default settings
 * (1 s period) lose the broker (every connection refused) for an outage of S seconds; the time
 * from the broker's return to each device's first delivered reading is measured. p95 over the
 * devices, and the spread of their reconnects (a fleet must not reconnect all at once).
 */
import { ChaosProxy } from "../host-sim/chaos/proxy.ts"
import type { RunningBroker } from "../host-sim/brokers/broker.ts"
import { Observer } from "../host-sim/ledger/observer.ts"
import { VmUnderTest } from "../host-sim/device/vm-under-test.ts"
import { percentile } from "./wire.ts"

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

export async function recoveryAfter(broker: RunningBroker, outageS: number, devices: number) {
    const proxy = new ChaosProxy("127.0.0.1", broker.port)
    await proxy.start()
    const obs = new Observer(broker.url, "devs/+/telemetry")
    await obs.start()
    const vms = Array.from({ length: devices }, () =>
        new VmUnderTest(proxy.port, { PERIOD_MS: 1000 }, "127.0.0.1", undefined, "", { productDefaults: true }).start(),
    )
    try {
        const seen = (name: string, after: number) =>
            obs.messages.some(m => m.topic === `devs/${name}/telemetry` && m.atMs >= after)
        const t0 = Date.now()
        while (!vms.every(v => seen(v.name, t0)) && Date.now() - t0 < 60_000) await sleep(200)
        proxy.refuse = true
        proxy.reset()
        await sleep(outageS * 1000)
        proxy.refuse = false
        const back = Date.now()
        const deadline = back + 120_000
        while (!vms.every(v => seen(v.name, back)) && Date.now() < deadline) await sleep(100)
        const times = vms
            .map(v => obs.messages.find(m => m.topic === `devs/${v.name}/telemetry` && m.atMs >= back))
            .map(m => (m ? (m.atMs - back) / 1000 : Infinity))
            .sort((a, b) => a - b)
        const panics = vms.reduce((n, v) => n + v.panics().length, 0)
        return {
            outage_s: outageS,
            devices,
            recovered: times.filter(t => t !== Infinity).length,
            p50_s: round(percentile(times, 0.5)),
            p95_s: round(percentile(times, 0.95)),
            min_s: round(times[0]),
            max_s: round(times[times.length - 1]),
            panics,
        }
    } finally {
        for (const v of vms) await v.stop()
        await obs.stop()
        await proxy.stop()
    }
}

function round(x: number) {
    return Math.round(x * 10) / 10
}
