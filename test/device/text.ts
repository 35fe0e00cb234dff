import { describe, expect, test } from "@devicescript/test"
import { topicMatches, validTopicFilter, validTopicName } from "../../firmware/mqtt/topic"
import { UTF8_INVALID, decodeUtf8, encodeUtf8, utf8Length, validUtf8 } from "../../firmware/mqtt/utf8"
import { hexToBytes } from "../vectors/codec-vectors"
import {
    TOPIC_FILTER_VECTORS,
    TOPIC_MATCH_VECTORS,
    TOPIC_NAME_VECTORS,
    UTF8_ENCODE_VECTORS,
    UTF8_VALIDATE_VECTORS,
} from "../vectors/text-vectors"
import { check, yieldToVm } from "./util"

export function textSuites() {
    describe("utf8 on the VM (C01-C04)", () => {
        test("C01 C03 encodes 1- to 4-byte characters and U+FEFF", async () => {
            for (let i = 0; i < UTF8_ENCODE_VECTORS.length; i++) {
                const v = UTF8_ENCODE_VECTORS[i]
                check(
                    `${v.name}: ${encodeUtf8(v.text).toString("hex")} ${utf8Length(v.text) * 2}`,
                    `${v.name}: ${v.hex} ${v.hex.length}`,
                )
                await yieldToVm()
            }
        })
        test("C02 rejects U+0000", () => {
            expect(utf8Length("a\u0000b")).toBe(UTF8_INVALID)
            expect(() => encodeUtf8("\u0000")).toThrow()
        })
        // C04 (65 535 / 65 536 bytes) runs in Node only: the simulated VM heap cannot hold a 32 KB
        // string (OutOfMemory while building it), so no such string can reach the codec on a device.
        test("C01 a surrogate-pair literal is one code point on the VM", () => {
            const s = "\uD83D\uDE00"
            expect(s.length).toBe(1)
            expect(s.charCodeAt(0)).toBe(0x1f600)
        })
        test("C01 C02 C03 strict validation of received bytes", async () => {
            for (let i = 0; i < UTF8_VALIDATE_VECTORS.length; i++) {
                const v = UTF8_VALIDATE_VECTORS[i]
                const b = Buffer.from(hexToBytes(v.bytes))
                const ok = validUtf8(b, 0, b.length)
                check(`${v.name}: ${ok}`, `${v.name}: ${v.valid}`)
                if (ok && v.valid) check(`${v.name}: ${decodeUtf8(b, 0, b.length)}`, `${v.name}: ${v.text}`)
                await yieldToVm()
            }
        })
        test("C01 the VM decodes ill-formed bytes to U+FFFD without complaint, so validation comes first", () => {
            expect(
                Buffer.from(hexToBytes(["c0 af"]))
                    .toString("utf-8")
                    .charCodeAt(0),
            ).toBe(0xfffd)
            expect(
                Buffer.from(hexToBytes(["ef bf bf"]))
                    .toString("utf-8")
                    .charCodeAt(0),
            ).toBe(0xfffd)
        })
    })

    describe("topics on the VM (C46-C49, C69-C71)", () => {
        test("C46 C47 C48 topic names", async () => {
            for (let i = 0; i < TOPIC_NAME_VECTORS.length; i++) {
                const v = TOPIC_NAME_VECTORS[i]
                check(`${v.text}: ${validTopicName(v.text)}`, `${v.text}: ${v.valid}`)
                await yieldToVm()
            }
        })
        test("C69 C70 topic filters", async () => {
            for (let i = 0; i < TOPIC_FILTER_VECTORS.length; i++) {
                const v = TOPIC_FILTER_VECTORS[i]
                check(`${v.text}: ${validTopicFilter(v.text)}`, `${v.text}: ${v.valid}`)
                await yieldToVm()
            }
        })
        test("C71 topic matching", async () => {
            for (let i = 0; i < TOPIC_MATCH_VECTORS.length; i++) {
                const v = TOPIC_MATCH_VECTORS[i]
                check(
                    `${v.filter} ${v.topic}: ${topicMatches(v.filter, v.topic)}`,
                    `${v.filter} ${v.topic}: ${v.match}`,
                )
                await yieldToVm()
            }
        })
    })
}
