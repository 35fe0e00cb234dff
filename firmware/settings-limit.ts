/**
 * How big a setting may be. `readSetting` answers with one Jacdac packet of at most 232 bytes
 * holding `key\0JSON`; a longer value is stored fine but the next read hits JD_PANIC
 * (jdc:source/jd_util.c:122-131, jd_queue.c:27-29; ../shared/hardware-fidelity.md §1.4), and a
 * value read at boot would make that a reboot loop. Every value this firmware writes is checked here
 * first. Portable.
 */
export const SETTING_MAX_BYTES = 232

/** Bytes of the settings service's answer for this key and value: key + NUL + JSON (UTF-8). */
export function settingBytes(key: string, value: any): number {
    return Buffer.from(key).length + 1 + Buffer.from(JSON.stringify(value)).length
}

export function settingFits(key: string, value: any): boolean {
    return settingBytes(key, value) <= SETTING_MAX_BYTES
}
