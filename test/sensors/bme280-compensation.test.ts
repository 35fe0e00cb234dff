import { describe, expect, test } from "vitest"
import {
    Bme280Calibration,
    calibrationLooksBlank,
    compensate,
    parseCalibration,
    unpackRaw,
} from "../../firmware/sensors/bme280-compensation.ts"
import {
    BME280_HUMIDITY_VECTORS,
    BMP280_EXAMPLE,
    bme280Calibration,
    encodeBme280Calibration,
} from "../vectors/sensor-vectors.ts"
import { compensateInt } from "./bme280-reference.ts"

const round2 = (v: number) => Math.round(v * 100) / 100

/** Deterministic pseudo-random numbers (LCG), so a failure is reproducible. */
function rng(seed: number) {
    let s = seed >>> 0
    return (lo: number, hi: number) => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0
        return lo + (s % (hi - lo + 1))
    }
}

describe("BME280 compensation (double formulas, datasheet 8.1)", () => {
    test("reproduces the BMP280 datasheet example: t_fine 128422, 25.08 °C, 1006.53 hPa", () => {
        const r = compensate(BMP280_EXAMPLE.cal, { adcT: BMP280_EXAMPLE.adcT, adcP: BMP280_EXAMPLE.adcP, adcH: -1 })
        expect(round2(r.temperature)).toBe(BMP280_EXAMPLE.temperature)
        expect(round2(r.pressure / 100)).toBe(BMP280_EXAMPLE.pressure)
        expect(r.humidity).toBe(-1)
        const ref = compensateInt(BMP280_EXAMPLE.cal, BMP280_EXAMPLE.adcT, BMP280_EXAMPLE.adcP, 0)
        expect(ref.tFine).toBe(BMP280_EXAMPLE.tFine)
        expect(ref.t).toBe(2508)
    })

    test.each(BME280_HUMIDITY_VECTORS)("humidity: adc_H $adcH -> $humidity %RH", v => {
        const r = compensate(bme280Calibration(), {
            adcT: BMP280_EXAMPLE.adcT,
            adcP: BMP280_EXAMPLE.adcP,
            adcH: v.adcH,
        })
        expect(round2(r.humidity)).toBe(v.humidity)
        const ref = compensateInt(bme280Calibration(), BMP280_EXAMPLE.adcT, BMP280_EXAMPLE.adcP, v.adcH)
        expect(Math.abs(r.humidity - ref.hQ22_10 / 1024)).toBeLessThan(0.01)
    })

    test("agrees with the datasheet's integer formulas (4.2.3) over the operating range (-40..85 °C, 300..1100 hPa)", () => {
        const rand = rng(1)
        const cal = bme280Calibration()
        let worstT = 0
        let worstP = 0
        let worstH = 0
        let n = 0
        while (n < 2000) {
            const adcT = rand(250000, 750000)
            const adcP = rand(100000, 900000)
            const adcH = rand(15000, 45000)
            const ref = compensateInt(cal, adcT, adcP, adcH)
            const hPa = ref.pQ24_8 / 25600
            if (ref.t < -4000 || ref.t > 8500 || hPa < 300 || hPa > 1100) continue // outside the datasheet's operating range
            n++
            const f = compensate(cal, { adcT, adcP, adcH })
            worstT = Math.max(worstT, Math.abs(f.temperature - ref.t / 100))
            worstP = Math.max(worstP, Math.abs(f.pressure - ref.pQ24_8 / 256))
            worstH = Math.max(worstH, Math.abs(f.humidity - ref.hQ22_10 / 1024))
        }
        // The two formulations truncate differently (the integer t_fine can differ by ~15 units, 0.003 °C,
        // which moves pressure by up to ~0.5 Pa at the cold end); both stay within what is published:
        // 0.01 °C, 0.01 hPa (1 Pa), 0.01 %RH.
        expect(worstT).toBeLessThanOrEqual(0.01)
        expect(worstP).toBeLessThan(1)
        expect(worstH).toBeLessThan(0.01)
    })

    test("crops humidity to 0..100 %RH", () => {
        const cal = bme280Calibration()
        expect(compensate(cal, { adcT: BMP280_EXAMPLE.adcT, adcP: BMP280_EXAMPLE.adcP, adcH: 0 }).humidity).toBe(0)
        expect(compensate(cal, { adcT: BMP280_EXAMPLE.adcT, adcP: BMP280_EXAMPLE.adcP, adcH: 65535 }).humidity).toBe(
            100,
        )
    })

    test("returns pressure 0 instead of dividing by zero when dig_P1 is 0", () => {
        const cal: Bme280Calibration = { ...bme280Calibration(), P1: 0 }
        expect(compensate(cal, { adcT: BMP280_EXAMPLE.adcT, adcP: BMP280_EXAMPLE.adcP, adcH: 30000 }).pressure).toBe(0)
        expect(calibrationLooksBlank(cal)).toBe(true)
        expect(calibrationLooksBlank(bme280Calibration())).toBe(false)
    })
})

describe("BME280 trimming parameters (datasheet 4.2.2, Table 16)", () => {
    test("parse(encode(c)) is c, including negative 12-bit dig_H4/dig_H5 sharing 0xE5", () => {
        const cals: Bme280Calibration[] = [
            bme280Calibration(),
            { ...bme280Calibration(), H4: -100, H5: -2048, H6: -30, H2: -5, T2: -32768, P1: 65535 },
            { ...bme280Calibration(), H4: 2047, H5: 2047, H1: 255, H3: 255 },
        ]
        for (const c of cals) {
            const img = encodeBme280Calibration(c)
            expect(parseCalibration(Buffer.from(img.tp), Buffer.from(img.h))).toEqual(c)
        }
    })

    test("a BMP280 (no 0xE1 block) has no humidity", () => {
        const img = encodeBme280Calibration(BMP280_EXAMPLE.cal)
        const c = parseCalibration(Buffer.from(img.tp), null)
        expect(c.hasHumidity).toBe(false)
        expect(c.T1).toBe(27504)
        expect(c.P9).toBe(6000)
    })

    test("unpacks the 20-bit and 16-bit ADC values from 0xF7..0xFE", () => {
        // adc_P 415148 = 0x655AC, adc_T 519888 = 0x7EED0, adc_H 30000 = 0x7530
        const data = Buffer.from([0x65, 0x5a, 0xc0, 0x7e, 0xed, 0x00, 0x75, 0x30])
        expect(unpackRaw(data, true)).toEqual({ adcP: 415148, adcT: 519888, adcH: 30000 })
        expect(unpackRaw(data, false).adcH).toBe(-1)
    })
})
