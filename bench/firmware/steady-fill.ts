/**
 * Steady-state heap probe, imported before the firmware (bench/firmware/steady-probe.ts): after
 * FILL_AFTER_MS of normal running it takes 128-byte pieces, one every 5 ms, until the VM runs
 * out of memory. The last "fill: N" line says how many pieces fitted; the VM's "stats:" line at
 * the OutOfMemory says how many objects were alive.
 */
import * as ds from "@devicescript/core"

const FILL_AFTER_MS = 20000
const held: Buffer[] = []
async function fill() {
    await ds.sleep(FILL_AFTER_MS)
    for (;;) {
        console.log(`fill: ${held.length}`)
        held.push(Buffer.alloc(128))
        await ds.sleep(5)
    }
}
fill.start()
