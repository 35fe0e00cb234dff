/**
 * Step margin: how many times the work of one fiber run can grow before the VM's InfiniteLoop
 * watchdog (128 K opcodes a run, DEVS_MAX_STEPS in the runtime's vm_main.c, the same on ESP32 and
 * Pico W) fires. bench/firmware/steps-probe.ts runs X whole message life cycles (publish, stage
 * with a packet id, write, frame + decode the PUBACK, acknowledge) in one fiber run; the largest X
 * that finishes, over SLICE_ITEMS (the most packets or frames any loop handles before it yields),
 * is the margin. A life cycle is more than any one loop does per packet, so this is a lower bound.
 */
import { SLICE_ITEMS } from "../firmware/mqtt/session.ts"
import { VmUnderTest } from "../host-sim/device/vm-under-test.ts"

async function finishes(bytecode: string, x: number): Promise<boolean> {
    const vm = new VmUnderTest(1, { PROBE_X: x }, "127.0.0.1", bytecode).start()
    try {
        const line = await vm.waitForLine(/steps probe:|InfiniteLoop|PANIC/, 60_000)
        return /steps probe/.test(line)
    } finally {
        await vm.stop()
    }
}

export async function stepMargin(bytecode: string, maxX = 1024) {
    let lo = 0
    let hi = maxX
    while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        if (await finishes(bytecode, mid)) lo = mid
        else hi = mid
    }
    return { step_margin: lo / SLICE_ITEMS, cycles_per_run: lo, slice_items: SLICE_ITEMS }
}
