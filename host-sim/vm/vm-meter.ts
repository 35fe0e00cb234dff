/**
 * What the VMs of one process cost it: CPU time inside the runtime's loop (every `_jd_em_process`
 * call: bytecode, GC, Jacdac frames, socket events handled there) and the delay of the event loop all
 * of them share. The VM clock cannot measure this (it stands still during synchronous work), so the
 * host does, around each tick. CPU, not wall time: on a shared machine a tick's wall time also holds
 * the time the OS gave to other processes. The meter's own cost is two getrusage calls a tick.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks"
import type { DevsVM } from "./load-vm.ts"

export interface VmCost {
    /** Ticks (runtime loop runs) since the meter started, over all VMs. */
    ticks: number
    /** CPU ms (user + system, whole process) spent inside those ticks. */
    tickMs: number
    /** Event-loop delay over the same time (ms): how late a timer of this process fires. */
    loopDelayP50Ms: number
    loopDelayP99Ms: number
    loopDelayMaxMs: number
}

export class VmMeter {
    private ticks = 0
    private tickMs = 0
    private readonly delay: IntervalHistogram

    constructor() {
        // 10 ms resolution is enough to see a loop that falls behind a 1 s period; finer costs CPU itself.
        this.delay = monitorEventLoopDelay({ resolution: 10 })
        this.delay.enable()
    }

    /** Times every tick of this VM; the glue looks the function up on the module at each call. */
    wrap(vm: DevsVM): void {
        const tick = vm._jd_em_process.bind(vm)
        vm._jd_em_process = () => {
            const t0 = process.cpuUsage()
            try {
                return tick()
            } finally {
                const d = process.cpuUsage(t0)
                this.tickMs += (d.user + d.system) / 1000
                this.ticks++
            }
        }
    }

    /** The figures since the last reset (or the start). */
    read(): VmCost {
        const ns = (q: number) => Number((this.delay.percentile(q) / 1e6).toFixed(2))
        return {
            ticks: this.ticks,
            tickMs: Number(this.tickMs.toFixed(1)),
            loopDelayP50Ms: ns(50),
            loopDelayP99Ms: ns(99),
            loopDelayMaxMs: Number((this.delay.max / 1e6).toFixed(2)),
        }
    }

    reset(): void {
        this.ticks = 0
        this.tickMs = 0
        this.delay.reset()
    }
}
