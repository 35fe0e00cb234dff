/**
 * The only way this firmware writes a setting. A write happens on a user's configuration change only
 * (the period downlink, a new SENSORS list for discovery), never per reading or per boot, because the
 * store is an append-only log shared with the program and the Wi-Fi credentials: a full log drops
 * writes silently, and a power cut during a write can make the next boot reformat it
 * (../shared/hardware-fidelity.md §1.2). So: skip a value equal to the stored one, refuse one over
 * the read-back limit (settings-limit.ts), and count what was written (diagnostics `settings`).
 *
 * One at a time (issue 22): every read and write here holds one lock. The stock `readSetting`
 * (`actionReport` in @devicescript/core) resumes its caller from the settings service's report
 * without checking that the caller is suspended; two operations at once (a burst of period commands
 * while discovery reads HA_KEYS) made the VM panic with `RangeError: fiber not suspended`, or left a
 * reader asleep for good on an answer meant for the other.
 */
import * as ds from "@devicescript/core"
import { settings, writeSetting } from "@devicescript/settings"
import { Waker } from "./net/waker"
import { settingFits } from "./settings-limit"

export const settingsStats = { writes: 0, refused: 0 }

let busy = false
const turn = new Waker()

async function lock() {
    while (busy) await turn.wait(1000)
    busy = true
}

function unlock() {
    busy = false
    turn.notify()
}

/** How long a read waits for the settings service's answer (it runs in this runtime: ms in practice). */
const ANSWER_MS = 5000

/**
 * `readSetting` of @devicescript/settings, bounded. The stock one (`actionReport`, @devicescript/core
 * utils.ts: "TODO timeout") waits for the answer for ever and resumes its caller without checking that
 * it is suspended. Under GC stress the VM's announces came late enough that it dropped its own settings
 * service for a moment; a request sent then was never answered, and the period command fiber waited for
 * good holding the lock: no command was answered again while readings went on. Here a read gives up
 * after ANSWER_MS (the caller uses its default and says so) and a late answer is ignored.
 */
async function readStored(key: string): Promise<Buffer | null> {
    const fiber = ds.Fiber.self()
    const code = settings.spec.lookup("get").code
    let waiting = true
    const unsub = settings.report().subscribe(pkt => {
        if (!waiting || pkt.serviceCommand !== code || pkt.decode()[0] !== key || !fiber.suspended) return
        waiting = false
        unsub()
        fiber.resume(pkt)
    })
    await settings.get(key)
    const pkt = await ds.suspend<ds.Packet>(ANSWER_MS)
    if (waiting) {
        waiting = false
        unsub()
    }
    if (!pkt) throw new Error(`no answer from the settings service within ${ANSWER_MS} ms`)
    const b = pkt.decode()[1] as Buffer
    return b && b.length ? b : null
}

async function readUnlocked(key: string, dflt: any): Promise<any> {
    try {
        const b = await readStored(key)
        if (!b) return dflt
        try {
            return JSON.parse(b.toString())
        } catch (e) {
            return dflt
        }
    } catch (e) {
        console.warn(`settings: cannot read ${key}: ${(e as Error).message}; using the default`)
        return dflt
    }
}

/** The stored value of `key`, or `dflt` when there is none or it cannot be read (corrupt, bad key: said once). */
export async function readStoredSetting(key: string, dflt: any): Promise<any> {
    await lock()
    try {
        return await readUnlocked(key, dflt)
    } finally {
        unlock()
    }
}

/** Writes `value` under `key` unless it is already stored or too big; true when written. */
export async function writeSettingIfChanged(key: string, value: any): Promise<boolean> {
    if (!settingFits(key, value)) {
        settingsStats.refused++
        console.warn(`settings: ${key} not written: key + JSON over the 232-byte read-back limit`)
        return false
    }
    await lock()
    try {
        if (JSON.stringify(await readUnlocked(key, null)) === JSON.stringify(value)) return false
        await writeSetting(key, value)
        settingsStats.writes++
        return true
    } finally {
        unlock()
    }
}
