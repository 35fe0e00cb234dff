import { describe, expect, test } from "vitest"
import { unpackRaw } from "../../firmware/sensors/bme280-compensation.ts"
import {
    Bme680Calibration,
    COEFF1_LENGTH,
    COEFF2_LENGTH,
    compensateBme680,
    parseBme680Calibration,
} from "../../firmware/sensors/bme680-compensation.ts"
import { BME680_EXAMPLE, encodeBme680Calibration } from "../vectors/sensor-vectors.ts"
import { compensateBme680Int } from "./bme680-reference.ts"

const round2 = (v: number) => Math.round(v * 100) / 100
const E = BME680_EXAMPLE

/** Deterministic pseudo-random numbers (LCG), so a failure is reproducible. */
function rng(seed: number) {
    let s = seed >>> 0
    return (lo: number, hi: number) => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0
        return lo + (s % (hi - lo + 1))
    }
}

describe("BME680 compensation (BME68x API floating-point formulas)", () => {
    test("gives the example's 25.49 °C, 993.32 hPa, 47.67 %RH; the integer formulas agree", () => {
        const r = compensateBme680(E.cal, { adcT: E.adcT, adcP: E.adcP, adcH: E.adcH })
        expect(round2(r.temperature)).toBe(E.temperature)
        expect(round2(r.pressure / 100)).toBe(E.pressure)
        expect(round2(r.humidity)).toBe(E.humidity)
        const ref = compensateBme680Int(E.cal, E.adcT, E.adcP, E.adcH)
        expect(ref).toEqual({ tFine: 130505, t: 2549, p: 99329, h: 47662 })
    })

    test("agrees with the API's integer formulas over the operating range (-40..85 °C, 300..1100 hPa)", () => {
        const rand = rng(7)
        let worstT = 0
        let worstP = 0
        let worstH = 0
        let n = 0
        while (n < 2000) {
            const adcT = rand(250000, 750000)
            const adcP = rand(100000, 900000)
            const adcH = rand(5000, 50000)
            const ref = compensateBme680Int(E.cal, adcT, adcP, adcH)
            if (ref.t < -4000 || ref.t > 8500 || ref.p < 30000 || ref.p > 110000) continue // outside the operating range
            n++
            const f = compensateBme680(E.cal, { adcT, adcP, adcH })
            worstT = Math.max(worstT, Math.abs(f.temperature - ref.t / 100))
            worstP = Math.max(worstP, Math.abs(f.pressure - ref.p))
            worstH = Math.max(worstH, Math.abs(f.humidity - ref.h / 1000))
        }
        // The integer formulas round to 0.01 °C and lose a few Pa and a few 0.01 %RH in their
        // shifts; the float ones keep the fractions. Both stay far inside the chip's accuracy
        // (±1 °C, ±0.6 hPa, ±3 %RH).
        expect(worstT).toBeLessThanOrEqual(0.01)
        expect(worstP).toBeLessThan(10)
        expect(worstH).toBeLessThan(0.05)
    })

    test("crops humidity to 0..100 %RH", () => {
        const at = (adcH: number) => compensateBme680(E.cal, { adcT: E.adcT, adcP: E.adcP, adcH }).humidity
        expect(at(0)).toBe(0)
        expect(at(65535)).toBe(100)
    })

    test("returns pressure 0 instead of dividing by zero when par_p1 is 0", () => {
        const cal: Bme680Calibration = { ...E.cal, P1: 0 }
        expect(compensateBme680(cal, { adcT: E.adcT, adcP: E.adcP, adcH: E.adcH }).pressure).toBe(0)
    })
})

describe("BME680 trimming parameters (0x8A..0xA0, 0xE1..0xEA)", () => {
    test("parse(encode(c)) is c, including 12-bit par_h1/par_h2 sharing 0xE2 and par_p7 before par_p6", () => {
        const cals: Bme680Calibration[] = [
            E.cal,
            { ...E.cal, H1: 4095, H2: 0, T3: -128, P6: -1, P7: 127, P10: 255, H7: -128, T2: -32768, P1: 65535 },
            { ...E.cal, H1: 0, H2: 4095, H3: -1, H4: -128, H5: 127, H6: 255, P3: -128 },
        ]
        for (const c of cals) {
            const img = encodeBme680Calibration(c)
            expect(img.a.length).toBe(COEFF1_LENGTH)
            expect(img.b.length).toBe(COEFF2_LENGTH)
            expect(parseBme680Calibration(Buffer.from(img.a), Buffer.from(img.b))).toEqual(c)
        }
    })

    test("reads each parameter from its register (BME68x API coefficient indices)", () => {
        const a = Buffer.alloc(23)
        const b = Buffer.alloc(10)
        a[0x99 - 0x8a] = 0x1e // par_p6 = 30
        a[0x98 - 0x8a] = 0xd2 // par_p7 = -46
        b[0xe1 - 0xe1] = 0x3e // par_h2 msb
        b[0xe2 - 0xe1] = 0x87 // par_h2 lsb nibble 8, par_h1 lsb nibble 7
        b[0xe3 - 0xe1] = 0x31 // par_h1 msb
        b[0xe9 - 0xe1] = 0x5b // par_t1 = 0x665b
        b[0xea - 0xe1] = 0x66
        const c = parseBme680Calibration(a, b)
        expect([c.P6, c.P7, c.H1, c.H2, c.T1]).toEqual([30, -46, 0x317, 0x3e8, 0x665b])
    })

    test("the data field 0x1F..0x26 unpacks like the BME280's 0xF7..0xFE", () => {
        // adc_P 350000 = 0x55730, adc_T 500000 = 0x7A120, adc_H 22000 = 0x55F0
        const data = Buffer.from([0x55, 0x73, 0x00, 0x7a, 0x12, 0x00, 0x55, 0xf0])
        expect(unpackRaw(data, true)).toEqual({ adcP: 350000, adcT: 500000, adcH: 22000 })
    })
})
