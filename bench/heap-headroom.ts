/**
 * Heap headroom of the production firmware at its worst case, measured on the VM: the firmware
 * runs with BALLAST_B bytes of ballast taken before it starts (bench/firmware/heap-probe.ts)
 * through the worst case below; the headroom is the largest ballast that survives it (no
 * OutOfMemory). The heap is DeviceScript's 64 KB GC heap, the same size on ESP32 and Pico W.
 *
 * Worst case, with the default settings except a 100 ms period (to fill the queue fast):
 * - discovery and telemetry running, the reconnect loop failing for QUEUE_FILL_S (every attempt
 *   refused) so the queue is full of readings and drops the oldest;
 * - meanwhile the largest inbound packet the device accepts waits at the broker (a QoS 1 command
 *   to its persistent session), delivered the moment it reconnects, while the window is full
 *   and the queue is being flushed;
 * - SURVIVE_S more seconds of normal running.
 */
import { ChaosProxy } from "../host-sim/chaos/proxy.ts"
import type { RunningBroker } from "../host-sim/brokers/broker.ts"
import { Observer } from "../host-sim/ledger/observer.ts"
import { VmUnderTest } from "../host-sim/device/vm-under-test.ts"

const QUEUE_FILL_S = 15
const SURVIVE_S = 15
/** Ballast granularity (the probe takes it in 512-byte pieces). */
const STEP = 512

export interface HeadroomRun {
    ballast: number
    survived: boolean
    oomLine: string
    /** Where it ran out: the size asked for and the innermost frames, e.g. "1021 B at readHeader < next < receive". */
    oomAt: string
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** The VM's report of an OutOfMemory: `devs: OOM (N bytes)`, then `!  at name_F12 (pc:34)` per frame. */
function oomSite(log: string[]): string {
    const i = log.findIndex(l => /^devs: OOM \(\d+ bytes\)/.test(l))
    if (i < 0) return ""
    const frames: string[] = []
    for (const l of log.slice(i + 1, i + 12)) {
        const m = /^!\s+at (\w+?)(_F\d+)? \(pc:/.exec(l)
        if (m && frames.length < 4) frames.push(m[1])
    }
    const at = frames.length > 0 ? frames.join(" < ") : "(no bytecode frame in the report)"
    return `${/\((\d+) bytes\)/.exec(log[i])![1]} B at ${at}`
}

/** One run of the worst case with `ballast` bytes taken; true when the device never ran out of memory. */
export async function worstCase(
    broker: RunningBroker,
    bytecode: string,
    ballast: number,
    inboundBytes: number,
): Promise<HeadroomRun> {
    const proxy = new ChaosProxy("127.0.0.1", broker.port)
    await proxy.start()
    const obs = new Observer(broker.url, "devs/#")
    await obs.start()
    const vm = new VmUnderTest(proxy.port, { PERIOD_MS: 100, BALLAST_B: ballast }, "127.0.0.1", bytecode, "", {
        productDefaults: true,
    }).start()
    const dead = () => vm.log.some(l => /OutOfMemory|PANIC/.test(l))
    try {
        const t0 = Date.now()
        while (!dead() && !obs.messages.some(m => m.topic === `devs/${vm.name}/telemetry`) && Date.now() - t0 < 30_000)
            await sleep(200)
        if (!dead()) {
            proxy.refuse = true
            proxy.reset()
            // Not a valid period: the device refuses it and answers on its log topic (a full inbound path).
            const body = `"${"9".repeat(Math.max(1, inboundBytes - 40 - vm.name.length))}"`
            await obs.publish(`devs/${vm.name}/set/period_ms`, body, 1)
            await sleep(QUEUE_FILL_S * 1000)
            proxy.refuse = false
            const t1 = Date.now()
            while (!dead() && Date.now() - t1 < SURVIVE_S * 1000) await sleep(200)
        }
        return {
            ballast,
            survived: !dead(),
            oomLine: vm.log.find(l => /^stats:/.test(l)) ?? "",
            oomAt: oomSite(vm.log),
        }
    } finally {
        await vm.stop()
        await obs.stop()
        await proxy.stop()
    }
}

/** Largest ballast (multiple of 512) that survives, by bisection over [0, maxBallast]. */
export async function heapHeadroom(broker: RunningBroker, bytecode: string, inboundBytes: number, maxBallast = 32768) {
    const runs: HeadroomRun[] = []
    let lo = 0
    let hi = maxBallast / STEP
    const base = await worstCase(broker, bytecode, 0, inboundBytes)
    runs.push(base)
    if (!base.survived) return { heap_headroom_bytes: -1, runs }
    while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        const r = await worstCase(broker, bytecode, mid * STEP, inboundBytes)
        runs.push(r)
        if (r.survived) lo = mid
        else hi = mid
    }
    return { heap_headroom_bytes: lo * STEP, runs }
}
