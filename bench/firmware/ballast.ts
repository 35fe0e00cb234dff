/**
 * Heap ballast for the headroom measurement: BALLAST_B bytes held for the whole run, taken in
 * 512-byte pieces before the firmware starts (imported first by heap-probe.ts).
 */
import { readSetting } from "@devicescript/settings"

const n: number = await readSetting("BALLAST_B", 0)
export const ballast: Buffer[] = []
for (let i = 0; i + 512 <= n; i += 512) ballast.push(Buffer.alloc(512))
console.log(`ballast: ${ballast.length * 512} B`)
