/**
 * Conversion vectors for our sensor drivers, shared by the vitest suites
 * (test/sensors) and the on-VM suites (test/device-sensors), where the fake
 * chips serve the raw values. Portable: imports nothing from DeviceScript.
 * Expected values are what the firmware publishes (rounded to 0.01).
 */
import { Bme280Calibration } from "../../firmware/sensors/bme280-compensation"
import { Bme680Calibration } from "../../firmware/sensors/bme680-compensation"
import { crc8 } from "../../firmware/sensors/sensirion-crc"

/**
 * BMP280 datasheet (BST-BMP280-DS001) 3.12, "Calculating pressure and
 * temperature": its worked example (trimming values, adc_T, adc_P). The BME280
 * uses the same temperature and pressure formulas. Datasheet results: t_fine =
 * 128422, T = 25.08 °C, p ≈ 100653 Pa. The double formulas give 100653.26 Pa,
 * the int64 formula 100653.25 Pa (test/sensors/bme280-reference.ts): 1006.53 hPa.
 */
export const BMP280_EXAMPLE = {
    cal: {
        T1: 27504,
        T2: 26435,
        T3: -1000,
        P1: 36477,
        P2: -10685,
        P3: 3024,
        P4: 2855,
        P5: 140,
        P6: -7,
        P7: 15500,
        P8: -14600,
        P9: 6000,
        H1: 0,
        H2: 0,
        H3: 0,
        H4: 0,
        H5: 0,
        H6: 0,
        hasHumidity: false,
    } as Bme280Calibration,
    adcT: 519888,
    adcP: 415148,
    tFine: 128422,
    temperature: 25.08,
    /** hPa, as published */
    pressure: 1006.53,
}

/**
 * Humidity has no worked example in the BME280 datasheet. These trimming
 * values are typical of real parts (dig_H1 ~75, dig_H2 ~350-370, dig_H4 ~300,
 * dig_H6 30); the expected values come from the datasheet's double formulas
 * (8.1) and agree within 0.004 %RH with its int32 formula (4.2.3), which
 * test/sensors/bme280-compensation.test.ts recomputes independently.
 */
export const BME280_HUMIDITY_CAL = { H1: 75, H2: 370, H3: 0, H4: 313, H5: 50, H6: 30 }

export interface HumidityVector {
    adcH: number
    /** %RH at the example temperature (t_fine 128422), rounded to 0.01 */
    humidity: number
}

export const BME280_HUMIDITY_VECTORS: HumidityVector[] = [
    { adcH: 20000, humidity: 0 }, // below the range: cropped to 0 (8.1)
    { adcH: 25000, humidity: 27.67 },
    { adcH: 30000, humidity: 56.21 },
    { adcH: 35000, humidity: 84.5 },
    { adcH: 40000, humidity: 100 }, // above the range: cropped to 100
]

/** The example calibration with the humidity trimming values added: a BME280. */
export function bme280Calibration(): Bme280Calibration {
    const c = BMP280_EXAMPLE.cal
    const h = BME280_HUMIDITY_CAL
    return {
        T1: c.T1,
        T2: c.T2,
        T3: c.T3,
        P1: c.P1,
        P2: c.P2,
        P3: c.P3,
        P4: c.P4,
        P5: c.P5,
        P6: c.P6,
        P7: c.P7,
        P8: c.P8,
        P9: c.P9,
        H1: h.H1,
        H2: h.H2,
        H3: h.H3,
        H4: h.H4,
        H5: h.H5,
        H6: h.H6,
        hasHumidity: true,
    }
}

function putU16le(b: number[], off: number, v: number) {
    const u = v < 0 ? v + 0x10000 : v
    b[off] = u & 0xff
    b[off + 1] = (u >> 8) & 0xff
}

/**
 * The register images of a calibration, the inverse of parseCalibration:
 * `tp` for 0x88..0xA1 (26 bytes), `h` for 0xE1..0xE7 (7 bytes; BME280 datasheet 4.2.2, Table 16).
 */
export function encodeBme280Calibration(c: Bme280Calibration): { tp: number[]; h: number[] } {
    const tp: number[] = []
    for (let i = 0; i < 26; i++) tp.push(0)
    const p = [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9]
    for (let i = 0; i < p.length; i++) putU16le(tp, i * 2, p[i])
    tp[25] = c.H1 & 0xff
    const h: number[] = [0, 0, 0, 0, 0, 0, 0]
    putU16le(h, 0, c.H2)
    h[2] = c.H3 & 0xff
    h[3] = (c.H4 >> 4) & 0xff
    h[4] = (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4)
    h[5] = (c.H5 >> 4) & 0xff
    h[6] = c.H6 & 0xff
    return { tp: tp, h: h }
}

/**
 * BME680: the datasheet has no worked example. These trimming values are
 * typical of real parts (par_t1 ~26000, par_p1 ~37000, par_h1 ~790, par_h2
 * ~1000, par_h7 negative). The expected values are the BME68x API's
 * floating-point formulas, rounded as published; its integer formulas
 * (test/sensors/bme680-reference.ts, recomputed there independently) give
 * 25.49 °C, 993.29 hPa and 47.66 %RH for the same raw values.
 */
export const BME680_EXAMPLE = {
    cal: {
        T1: 26203,
        T2: 26475,
        T3: 3,
        P1: 37287,
        P2: -10328,
        P3: 88,
        P4: 6596,
        P5: -133,
        P6: 30,
        P7: 46,
        P8: -2446,
        P9: -3104,
        P10: 30,
        H1: 791,
        H2: 1000,
        H3: 0,
        H4: 45,
        H5: 20,
        H6: 120,
        H7: -100,
    } as Bme680Calibration,
    adcT: 500000,
    adcP: 350000,
    adcH: 22000,
    temperature: 25.49,
    /** hPa, as published */
    pressure: 993.32,
    humidity: 47.67,
}

/**
 * The register images of a BME680 calibration, the inverse of
 * parseBme680Calibration: `a` for 0x8A..0xA0 (23 bytes), `b` for 0xE1..0xEA (10 bytes).
 */
export function encodeBme680Calibration(c: Bme680Calibration): { a: number[]; b: number[] } {
    const a: number[] = []
    for (let i = 0; i < 23; i++) a.push(0)
    putU16le(a, 0, c.T2)
    a[2] = c.T3 & 0xff
    putU16le(a, 4, c.P1)
    putU16le(a, 6, c.P2)
    a[8] = c.P3 & 0xff
    putU16le(a, 10, c.P4)
    putU16le(a, 12, c.P5)
    a[14] = c.P7 & 0xff
    a[15] = c.P6 & 0xff
    putU16le(a, 18, c.P8)
    putU16le(a, 20, c.P9)
    a[22] = c.P10 & 0xff
    const b: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    b[0] = (c.H2 >> 4) & 0xff
    b[1] = ((c.H2 & 0x0f) << 4) | (c.H1 & 0x0f)
    b[2] = (c.H1 >> 4) & 0xff
    b[3] = c.H3 & 0xff
    b[4] = c.H4 & 0xff
    b[5] = c.H5 & 0xff
    b[6] = c.H6 & 0xff
    b[7] = c.H7 & 0xff
    putU16le(b, 8, c.T1)
    return { a: a, b: b }
}

export interface TicksVector {
    what: string
    ticks: number
    value: number
}

/** SHT4x datasheet, Quick Start / "Conversion of Signal Output": T = -45 + 175 * t / 65535. */
export const SHT4X_TEMPERATURE_VECTORS: TicksVector[] = [
    { what: "lowest code", ticks: 0, value: -45 },
    { what: "25 °C", ticks: 26214, value: 25 }, // 24.9998
    { what: "0 °C", ticks: 16852, value: 0 }, // 0.0008
    { what: "highest code", ticks: 65535, value: 130 },
]

/** RH = -6 + 125 * rh / 65535, cropped to 0..100 %RH. */
export const SHT4X_HUMIDITY_VECTORS: TicksVector[] = [
    { what: "below 0 %RH: cropped", ticks: 0, value: 0 },
    { what: "0 %RH exactly", ticks: 3146, value: 0 }, // 0.0006
    { what: "50 %RH", ticks: 29360, value: 50 }, // 50.0004
    { what: "above 100 %RH: cropped", ticks: 65535, value: 100 },
]

/**
 * BH1750FVI datasheet, "Measurement sequence example": high byte 1000_0011,
 * low byte 1001_0000 -> (2^15 + 2^9 + 2^8 + 2^7 + 2^4) / 1.2 ≈ 28067 lx.
 */
export const BH1750_VECTORS: TicksVector[] = [
    { what: "the datasheet example 0x8390", ticks: 0x8390, value: 28066.67 },
    { what: "darkness", ticks: 0, value: 0 },
    { what: "full scale", ticks: 0xffff, value: 54612.5 },
]

/**
 * SCD4x datasheet 3.5.2: CO2 = word 0 ppm, T = -45 + 175 * word 1 / 2^16,
 * RH = 100 * word 2 / 2^16. The words of its read_measurement example:
 * 0x01f4 (500 ppm), 0x6667 (25 °C), 0x5eb9 (37 %RH).
 */
export const SCD4X_EXAMPLE = { words: [0x01f4, 0x6667, 0x5eb9], co2: 500, temperature: 25, humidity: 37 }

/** CRC-8 of Sensirion words (SHT4x / SCD4x datasheets; 0xBEEF -> 0x92 is their example). */
export const CRC8_VECTORS: { bytes: number[]; crc: number }[] = [
    { bytes: [0xbe, 0xef], crc: 0x92 },
    { bytes: [0x00, 0x00], crc: 0x81 },
    { bytes: [0x66, 0x67], crc: 0xa2 },
    { bytes: [0x5e, 0xb9], crc: 0x3c },
    { bytes: [0x01, 0xf4], crc: 0x33 },
    { bytes: [0xff, 0xff], crc: 0xac },
]

/**
 * SHT3x-DIS datasheet 4.13: T = -45 + 175 * t / (2^16 - 1), RH = 100 * rh / (2^16 - 1).
 * The datasheet has no worked example; these are the ends of the range and round values.
 */
export const SHT3X_TEMPERATURE_VECTORS: TicksVector[] = [
    { what: "lowest code", ticks: 0, value: -45 },
    { what: "25 °C", ticks: 0x6666, value: 25 }, // 24.9998
    { what: "0 °C", ticks: 16852, value: 0 }, // 0.0008
    { what: "highest code", ticks: 0xffff, value: 130 },
]

export const SHT3X_HUMIDITY_VECTORS: TicksVector[] = [
    { what: "0 %RH", ticks: 0, value: 0 },
    { what: "37 %RH", ticks: 0x5eb9, value: 37 }, // 37.0016
    { what: "50 %RH", ticks: 0x8000, value: 50 }, // 50.0008
    { what: "highest code: 100 %RH exactly", ticks: 0xffff, value: 100 },
]

/**
 * SHTC3 datasheet, conversion of sensor output: T = -45 + 175 * t / 2^16,
 * RH = 100 * rh / 2^16 (2^16, unlike the SHT3x's 2^16 - 1: the highest code is
 * 129.997 °C and 99.998 %RH, which round to 130 and 100).
 */
export const SHTC3_TEMPERATURE_VECTORS: TicksVector[] = [
    { what: "lowest code", ticks: 0, value: -45 },
    { what: "25 °C", ticks: 0x6667, value: 25 }, // 25.0027
    { what: "0 °C", ticks: 16852, value: 0 }, // 0.00003
    { what: "highest code", ticks: 0xffff, value: 130 }, // 129.9973
]

export const SHTC3_HUMIDITY_VECTORS: TicksVector[] = [
    { what: "0 %RH", ticks: 0, value: 0 },
    { what: "37 %RH", ticks: 0x5eb9, value: 37 }, // 37.0010
    { what: "50 %RH", ticks: 0x8000, value: 50 }, // exactly
    { what: "highest code", ticks: 0xffff, value: 100 }, // 99.9985
]

/** AHT20 datasheet 6.1 / 6.2: RH = S_RH / 2^20 * 100 %, T = S_T / 2^20 * 200 - 50 °C (20-bit codes). */
export const AHT20_HUMIDITY_VECTORS: TicksVector[] = [
    { what: "0 %RH", ticks: 0, value: 0 },
    { what: "50 %RH", ticks: 0x80000, value: 50 },
    { what: "highest code", ticks: 0xfffff, value: 100 }, // 99.9999
]

export const AHT20_TEMPERATURE_VECTORS: TicksVector[] = [
    { what: "lowest code", ticks: 0, value: -50 },
    { what: "25 °C", ticks: 0x60000, value: 25 },
    { what: "highest code", ticks: 0xfffff, value: 150 }, // 149.9998
]

/**
 * Seven bytes read from a real AHT20, with their CRC, published in the README of
 * github.com/peff74/ESP_AHT20_BMP280: status 0x18 (idle, calibrated), humidity
 * 0x93AC9 = 604873 -> 57.69 %RH, temperature 0x52AC5 = 338629 -> 14.59 °C, and
 * CRC-8 (poly 0x31, init 0xFF) over the first six bytes = 0xB3.
 */
export const AHT20_FRAME_EXAMPLE = {
    bytes: [0x18, 0x93, 0xac, 0x95, 0x2a, 0xc5, 0xb3],
    rhRaw: 604873,
    tRaw: 338629,
    humidity: 57.69,
    temperature: 14.59,
}

/** An AHT20 answer (5.4 step 4): status, 20-bit humidity, 20-bit temperature, CRC-8 over those six bytes. */
export function encodeAht20Frame(status: number, rhRaw: number, tRaw: number): Buffer {
    const b = Buffer.alloc(7)
    b[0] = status & 0xff
    b[1] = (rhRaw >> 12) & 0xff
    b[2] = (rhRaw >> 4) & 0xff
    b[3] = ((rhRaw & 0x0f) << 4) | ((tRaw >> 16) & 0x0f)
    b[4] = (tRaw >> 8) & 0xff
    b[5] = tRaw & 0xff
    b[6] = crc8(b, 0, 6)
    return b
}

export interface LuxVector {
    what: string
    als: number
    gain: number
    /** integration time / 100 ms */
    intFactor: number
    lux: number
}

/**
 * LTR-390UV-01 datasheet lux formula: lux = 0.6 * ALS_DATA / (gain * int) * W_FAC,
 * W_FAC = 1. The driver runs at gain 3, 18 bit (int 1): 0.2 lx per count.
 */
export const LTR390_LUX_VECTORS: LuxVector[] = [
    { what: "darkness", als: 0, gain: 3, intFactor: 1, lux: 0 },
    { what: "5 counts = 1 lx", als: 5, gain: 3, intFactor: 1, lux: 1 },
    { what: "indoor light", als: 2500, gain: 3, intFactor: 1, lux: 500 },
    { what: "18-bit full scale", als: 0x3ffff, gain: 3, intFactor: 1, lux: 52428.6 },
    { what: "gain 18, 20 bit (400 ms)", als: 1000, gain: 18, intFactor: 4, lux: 8.33 },
    { what: "gain 1, 16 bit (25 ms) full scale", als: 0xffff, gain: 1, intFactor: 0.25, lux: 157284 },
]
