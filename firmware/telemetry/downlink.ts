/**
 * Validation of downlink commands. Portable; the device applies the result.
 */
export const PERIOD_MIN_MS = 100
export const PERIOD_MAX_MS = 3600000

export interface PeriodCommand {
    ok: boolean
    periodMs: number
    message: string
}

/**
 * Longest command text looked at. Anything longer is rejected before trim(), which is
 * bytecode on DeviceScript: a burst of long payloads would otherwise trip the VM's
 * InfiniteLoop watchdog, and a clean=0 session redelivers the same burst after the reboot.
 */
export const PERIOD_COMMAND_MAX_CHARS = 32

/** `<prefix>/<device>/set/period_ms` carries a plain integer (JSON number text). */
export function parsePeriodCommand(text: string): PeriodCommand {
    const t = text.length > PERIOD_COMMAND_MAX_CHARS ? text.slice(0, PERIOD_COMMAND_MAX_CHARS) + "..." : text.trim()
    let digits = t.length > 0 && t.length <= 8
    for (let i = 0; i < t.length && digits; i++) {
        const c = t.charAt(i)
        if (c < "0" || c > "9") digits = false
    }
    const v = digits ? parseInt(t) : NaN
    if (!digits || isNaN(v) || v < PERIOD_MIN_MS || v > PERIOD_MAX_MS)
        return {
            ok: false,
            periodMs: 0,
            message: `rejected period_ms '${t.slice(0, 32)}': expected an integer in ${PERIOD_MIN_MS}..${PERIOD_MAX_MS}`,
        }
    return { ok: true, periodMs: v, message: `period_ms set to ${v}` }
}
