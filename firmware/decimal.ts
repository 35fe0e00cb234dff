/**
 * The one parser for integers that arrive as text (commands, settings): decimal digits only, as
 * written by a person or `JSON.stringify` of an integer. No sign, exponent, hex, fraction, spaces
 * inside or trailing garbage. Written with char codes, not `parseInt` or string comparison: on the
 * VM `parseInt` read `1e5` as 100000 and `1000abc` as 1000, and `c < "0"` is not a character
 * comparison there (issue 22), so the same source accepted on the device what Node refused.
 * test/vectors/decimal-vectors.ts runs in Node (test/telemetry) and on the VM (test/device).
 * Portable.
 */

const ZERO = 48
const NINE = 57
const MINUS = 45
/** 15 digits stay exact in a double (and within the VM's number range). */
export const DECIMAL_MAX_DIGITS = 15

/** The value of `text`, or NaN when it is not 1..maxDigits decimal digits. */
export function parseDecimal(text: string, maxDigits: number): number {
    const n = text.length
    if (n === 0 || n > maxDigits || n > DECIMAL_MAX_DIGITS) return NaN
    let v = 0
    for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i)
        if (c < ZERO || c > NINE) return NaN
        v = v * 10 + (c - ZERO)
    }
    return v
}

/** parseDecimal with an optional leading '-' (settings such as NONET_RESET_S=-1). */
export function parseSignedDecimal(text: string, maxDigits: number): number {
    return text.charCodeAt(0) === MINUS ? -parseDecimal(text.slice(1), maxDigits) : parseDecimal(text, maxDigits)
}
