/**
 * Node cross-checks of the conversion vectors that the on-VM suites
 * (test/device-sensors) run through our SHT3x, SHTC3, AHT20 and LTR390 drivers.
 * The drivers import DeviceScript and cannot run here, so each expected value
 * is recomputed independently: the datasheet formula in exact integer
 * arithmetic (BigInt), rounded to 0.01 the way the firmware publishes it
 * (Math.round: halves toward +infinity). Driver = vectors on the VM, vectors =
 * datasheet here.
 */
import { describe, expect, test } from "vitest"
import { crc8 } from "../../firmware/sensors/sensirion-crc.ts"
import {
    AHT20_FRAME_EXAMPLE,
    AHT20_HUMIDITY_VECTORS,
    AHT20_TEMPERATURE_VECTORS,
    encodeAht20Frame,
    LTR390_LUX_VECTORS,
    SHT3X_HUMIDITY_VECTORS,
    SHT3X_TEMPERATURE_VECTORS,
    SHTC3_HUMIDITY_VECTORS,
    SHTC3_TEMPERATURE_VECTORS,
} from "../vectors/sensor-vectors.ts"

/** round(num / den, 2) for integers, den > 0, halves up; as a number. */
function exact2(num: bigint, den: bigint): number {
    const scaled = num * 100n
    let q = (2n * scaled + den) / (2n * den)
    // BigInt division truncates toward zero; floor for negative values.
    if ((2n * scaled + den) % (2n * den) !== 0n && 2n * scaled + den < 0n) q -= 1n
    return Number(q) / 100
}

const b = (n: number) => BigInt(n)

describe("SHT3x-DIS vectors (4.13: divisor 2^16 - 1)", () => {
    test.each(SHT3X_TEMPERATURE_VECTORS)("T $what: $ticks -> $value °C", v => {
        expect(exact2(-45n * 65535n + 175n * b(v.ticks), 65535n)).toBe(v.value)
    })
    test.each(SHT3X_HUMIDITY_VECTORS)("RH $what: $ticks -> $value %RH", v => {
        expect(exact2(100n * b(v.ticks), 65535n)).toBe(v.value)
    })
})

describe("SHTC3 vectors (divisor 2^16)", () => {
    test.each(SHTC3_TEMPERATURE_VECTORS)("T $what: $ticks -> $value °C", v => {
        expect(exact2(-45n * 65536n + 175n * b(v.ticks), 65536n)).toBe(v.value)
    })
    test.each(SHTC3_HUMIDITY_VECTORS)("RH $what: $ticks -> $value %RH", v => {
        expect(exact2(100n * b(v.ticks), 65536n)).toBe(v.value)
    })

    test("the two families differ only in the divisor: same code, at most 0.003 °C apart", () => {
        for (let t = 0; t <= 0xffff; t += 0x111) {
            const sht3x = -45 + (175 * t) / 65535
            const shtc3 = -45 + (175 * t) / 65536
            expect(Math.abs(sht3x - shtc3)).toBeLessThan(0.003)
        }
    })
})

describe("AHT20 vectors (6.1 / 6.2: 20-bit codes over 2^20)", () => {
    test.each(AHT20_HUMIDITY_VECTORS)("RH $what: $ticks -> $value %RH", v => {
        expect(exact2(100n * b(v.ticks), 1048576n)).toBe(v.value)
    })
    test.each(AHT20_TEMPERATURE_VECTORS)("T $what: $ticks -> $value °C", v => {
        expect(exact2(200n * b(v.ticks) - 50n * 1048576n, 1048576n)).toBe(v.value)
    })

    test("a real chip's frame: fields, values and the CRC-8 over six bytes", () => {
        const f = AHT20_FRAME_EXAMPLE
        const bytes = Buffer.from(f.bytes)
        expect(((bytes[1] << 12) | (bytes[2] << 4) | (bytes[3] >> 4)) >>> 0).toBe(f.rhRaw)
        expect(((bytes[3] & 0x0f) << 16) | (bytes[4] << 8) | bytes[5]).toBe(f.tRaw)
        expect(exact2(100n * b(f.rhRaw), 1048576n)).toBe(f.humidity)
        expect(exact2(200n * b(f.tRaw) - 50n * 1048576n, 1048576n)).toBe(f.temperature)
        expect(crc8(bytes, 0, 6)).toBe(0xb3)
        expect(encodeAht20Frame(f.bytes[0], f.rhRaw, f.tRaw)).toEqual(bytes)
    })

    test("the fake chip's frame encoder keeps both 20-bit fields apart at every nibble boundary", () => {
        for (const rh of [0, 1, 0xf, 0x10, 0x80000, 0xfffff]) {
            for (const t of [0, 1, 0xffff, 0x10000, 0x60000, 0xfffff]) {
                const f = encodeAht20Frame(0x18, rh, t)
                expect((f[1] << 12) | (f[2] << 4) | (f[3] >> 4)).toBe(rh)
                expect(((f[3] & 0x0f) << 16) | (f[4] << 8) | f[5]).toBe(t)
                expect(crc8(f, 0, 6)).toBe(f[6])
            }
        }
    })

    test("every single-bit error in a frame changes its CRC", () => {
        const frame = Buffer.from(AHT20_FRAME_EXAMPLE.bytes)
        for (let bit = 0; bit < 7 * 8; bit++) {
            const bad = Buffer.from(frame)
            bad[bit >> 3] ^= 1 << (bit & 7)
            expect(crc8(bad, 0, 6) === bad[6], `bit ${bit}`).toBe(false)
        }
    })
})

describe("LTR-390UV-01 lux vectors (lux = 0.6 * ALS / (gain * int) * W_FAC, W_FAC 1)", () => {
    test.each(LTR390_LUX_VECTORS)("$what: ALS $als, gain $gain, int $intFactor -> $lux lx", v => {
        // 0.6 / (gain * int) with int = 4, 2, 1, 0.5 or 0.25: scale by 20 to stay in integers.
        const num = 12n * b(v.als) // 0.6 * 20
        const den = b(v.gain) * b(Math.round(v.intFactor * 20))
        expect(exact2(num, den)).toBe(v.lux)
    })
})
