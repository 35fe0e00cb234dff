import { describe, expect, test } from "vitest"
import {
    MAX_STRING_BYTES,
    UTF8_INVALID,
    decodeUtf8,
    encodeUtf8,
    isNonCharacter,
    utf8Length,
    validUtf8,
} from "../../firmware/mqtt/utf8.ts"
import { hexToBytes, repeatString } from "../vectors/codec-vectors.ts"
import { UTF8_ENCODE_VECTORS, UTF8_VALIDATE_VECTORS } from "../vectors/text-vectors.ts"
import { prng, randInt } from "./helpers.ts"

describe("utf8 encode (C01-C04)", () => {
    test.each(UTF8_ENCODE_VECTORS)("C01 encodes $name as $hex", v => {
        expect(encodeUtf8(v.text).toString("hex")).toBe(v.hex)
        expect(utf8Length(v.text)).toBe(v.hex.length / 2)
    })

    // Node-only: a lone surrogate cannot even be written for the DeviceScript VM.
    test.each([
        ["high surrogate alone", "\uD800"],
        ["low surrogate alone", "a\uDC00"],
        ["high surrogate followed by ASCII", "\uD800a"],
        ["high surrogate at the end", "ab\uDBFF"],
        ["pair in the wrong order", "\uDE00\uD83D"],
    ])("C01 rejects a %s instead of letting Buffer.from substitute U+FFFD", (_name, s) => {
        expect(utf8Length(s)).toBe(UTF8_INVALID)
        expect(() => encodeUtf8(s)).toThrow(/lone surrogate/)
        // what we protect against: Node silently writes EF BF BD
        expect(Buffer.from(s).toString("hex")).toContain("efbfbd")
    })

    test("C02 rejects U+0000 [MQTT-1.5.3-2]", () => {
        expect(utf8Length("a\u0000b")).toBe(UTF8_INVALID)
        expect(() => encodeUtf8("\u0000")).toThrow(/U\+0000/)
    })

    test("C04 accepts 65535 encoded bytes and rejects 65536", () => {
        expect(encodeUtf8(repeatString("a", MAX_STRING_BYTES)).length).toBe(65535)
        expect(() => encodeUtf8(repeatString("a", MAX_STRING_BYTES + 1))).toThrow(/65536 bytes, max 65535/)
    })

    test("C04 counts encoded bytes, not characters: 21845 x U+20AC is 65535 bytes", () => {
        const s = repeatString("\u20ac", 21845)
        expect(s.length).toBe(21845)
        expect(encodeUtf8(s).length).toBe(65535)
        expect(() => encodeUtf8(s + "a")).toThrow(/65536 bytes/)
    })

    test.each([
        ["U+FFFF", "\uffff"],
        ["U+FFFE", "a\ufffe"],
        ["U+FDD0", "\ufdd0"],
        ["U+1FFFE", "\uD83F\uDFFE"],
        ["U+10FFFF", "\uDBFF\uDFFF"],
    ])("rejects the non-character %s (§1.5.3 SHOULD NOT; the VM cannot hold U+FFFE/U+FFFF)", (_name, s) => {
        expect(utf8Length(s)).toBe(UTF8_INVALID)
        expect(() => encodeUtf8(s)).toThrow(/non-character/)
    })

    test("C01 agrees with Node's encoder for every scalar value U+0001..U+10FFFF that is not a non-character", () => {
        let rejected = 0
        for (let cp = 1; cp <= 0x10ffff; cp++) {
            if (cp >= 0xd800 && cp <= 0xdfff) continue
            const s = String.fromCodePoint(cp)
            if (isNonCharacter(cp)) {
                expect(utf8Length(s)).toBe(UTF8_INVALID)
                rejected++
                continue
            }
            const ours = encodeUtf8(s)
            const ref = Buffer.from(s, "utf8")
            if (!ours.equals(ref))
                throw new Error(`U+${cp.toString(16)}: ${ours.toString("hex")} != ${ref.toString("hex")}`)
        }
        expect(rejected).toBe(66) // 32 in U+FDD0..U+FDEF, 2 per plane x 17
    })
})

describe("utf8 strict validation of received bytes (C01-C03)", () => {
    test.each(UTF8_VALIDATE_VECTORS)("$name: valid=$valid", v => {
        const b = Buffer.from(hexToBytes(v.bytes))
        expect(validUtf8(b, 0, b.length)).toBe(v.valid)
        if (v.valid) expect(decodeUtf8(b, 0, b.length)).toBe(v.text)
    })

    test("C03 decoding keeps U+FEFF at the start", () => {
        const s = decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 0, 4)
        expect(s.length).toBe(2)
        expect(s.charCodeAt(0)).toBe(0xfeff)
    })

    test("validates only the given range", () => {
        const b = Buffer.from([0xff, 0x61, 0x62, 0xff])
        expect(validUtf8(b, 1, 3)).toBe(true)
        expect(validUtf8(b, 0, 3)).toBe(false)
        expect(validUtf8(b, 1, 4)).toBe(false)
        // a sequence cut by the range end is truncated, even if the buffer goes on
        const c = Buffer.from([0xc3, 0xa9])
        expect(validUtf8(c, 0, 1)).toBe(false)
    })

    test("rejects ranges outside the buffer", () => {
        const b = Buffer.from([0x61])
        expect(validUtf8(b, 0, 2)).toBe(false)
        expect(validUtf8(b, -1, 1)).toBe(false)
        expect(validUtf8(b, 1, 0)).toBe(false)
    })

    test("PB agrees with a fatal TextDecoder (plus the NUL and non-character rules) on 200000 random short byte strings", () => {
        const rnd = prng(0xc01)
        const td = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
        // bias towards bytes that start or continue multi-byte sequences
        const pool = [
            0x00, 0x2f, 0x61, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xee, 0xef,
            0xf0, 0xf4, 0xf5, 0xff,
        ]
        for (let n = 0; n < 200000; n++) {
            const len = randInt(rnd, 1, 6)
            const b = Buffer.alloc(len)
            for (let i = 0; i < len; i++)
                b[i] = rnd() < 0.7 ? pool[randInt(rnd, 0, pool.length - 1)] : randInt(rnd, 0, 255)
            let ref = true
            try {
                for (const ch of td.decode(b)) {
                    const cp = ch.codePointAt(0) ?? 0
                    if (cp === 0 || isNonCharacter(cp)) ref = false // C02 and §1.5.3
                }
            } catch {
                ref = false
            }
            if (validUtf8(b, 0, len) !== ref) throw new Error(`disagree on ${b.toString("hex")}: ours ${!ref}`)
        }
    })
})
