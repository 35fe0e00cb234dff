/**
 * MQTT UTF-8 strings (§1.5.3): encode with validation, strictly validate what we receive.
 *
 * Portable: imports only bytes.ts, runs on the DeviceScript VM and in Node.
 *
 * What the two runtimes do with strings (checked on the DeviceScript 2.16.4 VM and Node 20):
 * - Node strings are UTF-16: "😀".length is 2 and charCodeAt returns the two surrogate halves.
 *   A lone surrogate ("\uD800") is a legal Node string, and Buffer.from() silently turns it into
 *   EF BF BD (U+FFFD), which is why we encode by hand and reject it first (C01, [MQTT-1.5.3-1]).
 * - DeviceScript strings are UTF-8 internally and indexed by code point: "😀".length is 1 and
 *   charCodeAt(0) is 0x1F600; "\uD83D\uDE00" in source compiles to that same single code point.
 *   A lone surrogate cannot exist there: a "\uD800" literal fails bytecode verification and
 *   String.fromCharCode(0xD800) panics the VM (PANIC 60129). charCodeAt past the end returns 0
 *   (Node: NaN), so we never read past the end.
 * - Both keep U+FEFF (EF BB BF) when encoding and when decoding with toString("utf-8") (C03).
 * - Both decode ill-formed bytes to U+FFFD without complaint (C0 AF and ED A0 80 each become one
 *   U+FFFD on the VM), so received bytes are validated strictly before they are decoded.
 * - Both keep U+0000 in strings, so NUL is checked explicitly (C02, [MQTT-1.5.3-2]).
 * - The VM cannot hold U+FFFE or U+FFFF: such a literal fails bytecode verification,
 *   String.fromCharCode(0xFFFF) panics, and toString("utf-8") turns EF BF BF into U+FFFD. Other
 *   non-characters (U+FDD0, U+10FFFE) survive. §1.5.3 says a sender SHOULD NOT use non-characters
 *   and a receiver MAY close on them, so we refuse all of them, in both directions, rather than let
 *   the VM silently change a topic. Other control characters (U+0001-U+001F, U+007F-U+009F, also
 *   SHOULD NOT) are allowed: they are representable and harmless to matching.
 *
 * utf8Length handles both views at once: a code unit above 0xFFFF (VM) and a valid surrogate
 * pair (Node) both encode as 4 bytes, and a surrogate that is not part of a pair is invalid.
 */

import { blitUtf8 } from "./bytes"

/** A string field has a 2-byte length prefix: at most 65 535 encoded bytes (C04). */
export const MAX_STRING_BYTES = 65535

/** Returned by utf8Length for a string we refuse (lone surrogate, U+0000 or a non-character). */
export const UTF8_INVALID = -1

/** U+FDD0..U+FDEF and the last two code points of every plane (§1.5.3 SHOULD NOT). */
export function isNonCharacter(cp: number): boolean {
    return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe
}

/**
 * Encoded length in bytes, or UTF8_INVALID when the string holds a lone surrogate (C01,
 * [MQTT-1.5.3-1]), U+0000 (C02, [MQTT-1.5.3-2]) or a non-character (§1.5.3).
 */
export function utf8Length(s: string): number {
    let n = 0
    const len = s.length
    for (let i = 0; i < len; i++) {
        const c = s.charCodeAt(i)
        if (c === 0) return UTF8_INVALID
        if (c < 0x80) n += 1
        else if (c < 0x800) n += 2
        else if (c >= 0xd800 && c <= 0xdbff) {
            // Node only: a high surrogate must be followed by a low one.
            if (i + 1 >= len) return UTF8_INVALID
            const d = s.charCodeAt(i + 1)
            if (d < 0xdc00 || d > 0xdfff) return UTF8_INVALID
            if (isNonCharacter(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00))) return UTF8_INVALID
            n += 4
            i++
        } else if (c >= 0xdc00 && c <= 0xdfff) return UTF8_INVALID
        else if (isNonCharacter(c)) return UTF8_INVALID
        else if (c < 0x10000) n += 3
        else n += 4
    }
    return n
}

/**
 * The bytes of an MQTT string field (without its length prefix). Throws on a lone surrogate,
 * U+0000, a non-character or more than MAX_STRING_BYTES bytes, so nothing invalid is ever put on
 * the wire.
 */
export function encodeUtf8(s: string): Buffer {
    const n = utf8Length(s)
    if (n === UTF8_INVALID)
        throw new Error("string holds a lone surrogate, U+0000 or a non-character [MQTT-1.5.3-1] [MQTT-1.5.3-2]")
    if (n > MAX_STRING_BYTES) throw new Error(`string is ${n} bytes, max ${MAX_STRING_BYTES} (C04)`)
    const b = Buffer.alloc(n)
    blitUtf8(b, 0, s, n)
    return b
}

/** A continuation byte 10xxxxxx within [lo, hi] (the narrowed ranges reject overlongs), or -1. */
function cont(b: Buffer, i: number, end: number, lo: number, hi: number): number {
    if (i >= end) return -1
    const x = b[i]
    return x >= lo && x <= hi ? x & 0x3f : -1
}

/**
 * Strict check of received bytes b[start..end) as an MQTT string: well-formed UTF-8 (RFC 3629
 * table 3-7: no overlongs such as C0 AF, no surrogates such as ED A0 80, nothing above U+10FFFF,
 * no truncated sequences), no U+0000 (C01, C02) and no non-character (see the top of this file).
 * U+FEFF is allowed and kept (C03).
 */
export function validUtf8(b: Buffer, start: number, end: number): boolean {
    if (start < 0 || end > b.length || start > end) return false
    let i = start
    while (i < end) {
        const x = b[i]
        if (x === 0) return false
        if (x < 0x80) {
            i += 1
            continue
        }
        let cp = 0
        if (x < 0xc2) {
            // stray continuation byte, or C0/C1 which can only start an overlong
            return false
        } else if (x < 0xe0) {
            const c1 = cont(b, i + 1, end, 0x80, 0xbf)
            if (c1 < 0) return false
            i += 2
            continue
        } else if (x < 0xf0) {
            // E0 needs A0.. (no overlong), ED needs ..9F (no surrogates D800-DFFF)
            const c1 = cont(b, i + 1, end, x === 0xe0 ? 0xa0 : 0x80, x === 0xed ? 0x9f : 0xbf)
            const c2 = cont(b, i + 2, end, 0x80, 0xbf)
            if (c1 < 0 || c2 < 0) return false
            cp = ((x & 0x0f) << 12) | (c1 << 6) | c2
            i += 3
        } else if (x < 0xf5) {
            // F0 needs 90.. (no overlong), F4 needs ..8F (nothing above U+10FFFF)
            const c1 = cont(b, i + 1, end, x === 0xf0 ? 0x90 : 0x80, x === 0xf4 ? 0x8f : 0xbf)
            const c2 = cont(b, i + 2, end, 0x80, 0xbf)
            const c3 = cont(b, i + 3, end, 0x80, 0xbf)
            if (c1 < 0 || c2 < 0 || c3 < 0) return false
            cp = ((x & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            i += 4
        } else {
            return false
        }
        if (isNonCharacter(cp)) return false
    }
    return true
}

/**
 * Decodes b[start..end) after validUtf8 said yes. Only then is toString exact on both runtimes;
 * on anything ill-formed they would substitute U+FFFD instead of failing.
 */
export function decodeUtf8(b: Buffer, start: number, end: number): string {
    return b.slice(start, end).toString("utf-8")
}
