import { describe, expect, test } from "vitest"
import { crc8, decodeWords, encodeWords } from "../../firmware/sensors/sensirion-crc.ts"
import { ERR_CRC, SensorError } from "../../firmware/sensors/sensor-error.ts"
import { CRC8_VECTORS } from "../vectors/sensor-vectors.ts"

describe("Sensirion CRC-8 (poly 0x31, init 0xFF)", () => {
    test.each(CRC8_VECTORS)("CRC of $bytes is $crc", v => {
        expect(crc8(Buffer.from(v.bytes), 0, 2)).toBe(v.crc)
    })

    test("encodeWords then decodeWords gives the words back", () => {
        const words = [0, 1, 0x01f4, 0x6667, 0x5eb9, 0xffff]
        expect(decodeWords(encodeWords(words), words.length, "t")).toEqual(words)
    })

    test("every single-bit error in a frame is caught as a SensorError with code crc", () => {
        const frame = encodeWords([0x6667, 0x5eb9])
        for (let bit = 0; bit < frame.length * 8; bit++) {
            const bad = Buffer.from(frame)
            bad[bit >> 3] ^= 1 << (bit & 7)
            let err: unknown = null
            try {
                decodeWords(bad, 2, "sht4x@0x44 measurement")
            } catch (e) {
                err = e
            }
            expect(err).toBeInstanceOf(SensorError)
            expect((err as SensorError).code).toBe(ERR_CRC)
            expect((err as SensorError).message).toBe(
                `sht4x@0x44 measurement: CRC mismatch in word ${bit < 24 ? 0 : 1}`,
            )
        }
    })
})
