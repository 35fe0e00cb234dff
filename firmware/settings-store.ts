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

/** The stored value of `key`, or `dflt` when there is none or it cannot be read (corrupt, bad key: said once). */
export async function readStoredSetting(key: string, dflt: any): Promise<any> {
    try {
        return await readSetting<any>(key, dflt)
    } catch (e) {
        console.warn(`settings: cannot read ${key}: ${(e as Error).message}; using the default`)
        return dflt
    }
}

/** Writes `value` under `key` unless it is already stored or too big; true when written. */
export async function writeSettingIfChanged(key: string, value: any): Promise<boolean> {
    if (!settingFits(key, value)) {
        settingsStats.refused++
        console.warn(`settings: ${key} not written: key + JSON over the 232-byte read-back limit`)
        return false
    }
    if (JSON.stringify(await readStoredSetting(key, null)) === JSON.stringify(value)) return false
    await writeSetting(key, value)
    settingsStats.writes++
    return true
}
