/**
 * The only way this firmware writes a setting. A write happens on a user's configuration change only
 * (the period downlink, a new SENSORS list for discovery), never per reading or per boot, because the
 * store is an append-only log shared with the program and the Wi-Fi credentials: a full log drops
 * writes silently, and a power cut during a write can make the next boot reformat it
 * (../shared/hardware-fidelity.md §1.2). So: skip a value equal to the stored one, refuse one over
 * the read-back limit (settings-limit.ts), and count what was written (diagnostics `settings`).
 */
import { readSetting, writeSetting } from "@devicescript/settings"
import { settingFits } from "./settings-limit"

export const settingsStats = { writes: 0, refused: 0 }

/** Writes `value` under `key` unless it is already stored or too big; true when written. */
export async function writeSettingIfChanged(key: string, value: any): Promise<boolean> {
    if (!settingFits(key, value)) {
        settingsStats.refused++
        console.warn(`settings: ${key} not written: key + JSON over the 232-byte read-back limit`)
        return false
    }
    let stored: any = null
    try {
        stored = await readSetting<any>(key, null)
    } catch (e) {
        stored = null
    }
    if (JSON.stringify(stored) === JSON.stringify(value)) return false
    await writeSetting(key, value)
    settingsStats.writes++
    return true
}
