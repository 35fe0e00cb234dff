/**
 * Test firmware for board resets: counts its boots in a setting, then calls
 * `standby(STANDBY_MS)` on the first boot only. On a board the second boot
 * reads the count back from flash; the plain simulator halts at the standby.
 */
import { readSetting, writeSetting } from "@devicescript/settings"
import { standby } from "@devicescript/runtime"

const boots: number = await readSetting("BOOTS", 0)
const sleepMs: number = await readSetting("STANDBY_MS", 1500)
console.log(`boot ${boots + 1}`)
await writeSetting("BOOTS", boots + 1)
if (boots === 0) {
    console.log(`standby ${sleepMs} ms`)
    await standby(sleepMs)
}
