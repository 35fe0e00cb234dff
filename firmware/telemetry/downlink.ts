/**
 * Validation of downlink commands. Portable; the device applies the result.
 */
import { parseDecimal } from "../decimal"

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
    // Digits only (decimal.ts): "1e3", "+2000", "0x400", "1000.5" and "1000abc" are refused on the VM as in Node.
    const v = parseDecimal(t, 8)
    if (isNaN(v) || v < PERIOD_MIN_MS || v > PERIOD_MAX_MS)
        return {
            ok: false,
            periodMs: 0,
            message: `rejected period_ms '${printable(t.slice(0, 32))}': expected an integer in ${PERIOD_MIN_MS}..${PERIOD_MAX_MS}`,
        }
    return { ok: true, periodMs: v, message: `period_ms set to ${v}` }
}

/**
 * The text as printable ASCII, anything else as '?': the answer quotes what was refused, and on the
 * VM JSON.stringify of U+FFFD (invalid UTF-8 in the command) or a control character comes out
 * double-encoded (issue 22).
 */
function printable(t: string): string {
    let out = ""
    for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i)
        out += c >= 0x20 && c <= 0x7e ? t.charAt(i) : "?"
    }
    return out
}
