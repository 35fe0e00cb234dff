/**
 * BME680 (and BME688) temperature, pressure and humidity: trimming parameters
 * and compensation maths, in the floating-point form of Bosch's BME68x Sensor
 * API (bme68x.c, calc_temperature / calc_pressure / calc_humidity with
 * BME68X_USE_FPU). DeviceScript numbers are doubles, so this is the natural
 * form; test/sensors/bme680-compensation.test.ts compares it with the API's
 * integer formulas. No gas resistance: the heater is never run.
 * Portable: imports nothing from DeviceScript.
 *
 * Not the BME280 formulas: the same shape, but other scales (par_t3 x16,
 * par_p6 / 131072, par_p3 / 16384, par_p7 x128), a cubic pressure term
 * (par_p10), a humidity polynomial in °C, and t_fine kept as a fraction.
 */
import { Bme280Raw, Bme280Reading, s16le, s8, u16le } from "./bme280-compensation"

/** par_t1..par_h7 (BME68x API bme68x_defs.h, struct bme68x_calib_data). */
export interface Bme680Calibration {
    T1: number
    T2: number
    T3: number
    P1: number
    P2: number
    P3: number
    P4: number
    P5: number
    P6: number
    P7: number
    P8: number
    P9: number
    P10: number
    H1: number
    H2: number
    H3: number
    H4: number
    H5: number
    H6: number
    H7: number
}

/** 0x8A..0xA0: par_t2, par_t3, par_p1..par_p10 (BME68X_REG_COEFF1, BME68X_LEN_COEFF1). */
export const REG_COEFF1 = 0x8a
export const COEFF1_LENGTH = 23
/**
 * 0xE1..0xEA: par_h1..par_h7, par_t1. The block goes on to 0xEE with the gas
 * heater's par_g1..par_g3, which we do not read (no heater).
 */
export const REG_COEFF2 = 0xe1
export const COEFF2_LENGTH = 10

/** Unpacks the trimming parameters from the two register blocks above. */
export function parseBme680Calibration(a: Buffer, b: Buffer): Bme680Calibration {
    return {
        T1: u16le(b, 8), // 0xE9/0xEA
        T2: s16le(a, 0), // 0x8A/0x8B
        T3: s8(a[2]), // 0x8C
        P1: u16le(a, 4), // 0x8E/0x8F
        P2: s16le(a, 6), // 0x90/0x91
        P3: s8(a[8]), // 0x92
        P4: s16le(a, 10), // 0x94/0x95
        P5: s16le(a, 12), // 0x96/0x97
        P6: s8(a[15]), // 0x99 (par_p7 comes first, at 0x98)
        P7: s8(a[14]), // 0x98
        P8: s16le(a, 18), // 0x9C/0x9D
        P9: s16le(a, 20), // 0x9E/0x9F
        P10: a[22], // 0xA0, unsigned
        // par_h1 and par_h2 are 12 bits, sharing 0xE2: h1 = 0xE3 << 4 | 0xE2[3:0], h2 = 0xE1 << 4 | 0xE2[7:4].
        H1: (b[2] << 4) | (b[1] & 0x0f),
        H2: (b[0] << 4) | (b[1] >> 4),
        H3: s8(b[3]), // 0xE4
        H4: s8(b[4]), // 0xE5
        H5: s8(b[5]), // 0xE6
        H6: b[6], // 0xE7, unsigned
        H7: s8(b[7]), // 0xE8
    }
}

/**
 * Temperature (°C), pressure (Pa) and humidity (%RH, cropped to 0..100) from
 * the raw conversion (unpackRaw of the data field: the BME280 layout). Pressure
 * is 0 when the trimming data would divide by zero, as in the API.
 */
export function compensateBme680(c: Bme680Calibration, raw: Bme280Raw): Bme280Reading {
    const d = raw.adcT / 131072.0 - c.T1 / 8192.0
    const tFine = (raw.adcT / 16384.0 - c.T1 / 1024.0) * c.T2 + d * d * c.T3 * 16.0
    const t = tFine / 5120.0

    let pressure = 0
    let var1 = tFine / 2.0 - 64000.0
    let var2 = (var1 * var1 * c.P6) / 131072.0 + var1 * c.P5 * 2.0
    var2 = var2 / 4.0 + c.P4 * 65536.0
    var1 = ((c.P3 * var1 * var1) / 16384.0 + c.P2 * var1) / 524288.0
    var1 = (1.0 + var1 / 32768.0) * c.P1
    if ((var1 | 0) !== 0) {
        const p = ((1048576.0 - raw.adcP - var2 / 4096.0) * 6250.0) / var1
        const q = p / 256.0
        pressure =
            p +
            ((c.P9 * p * p) / 2147483648.0 + (p * c.P8) / 32768.0 + (q * q * q * c.P10) / 131072.0 + c.P7 * 128.0) /
                16.0
    }

    // The humidity polynomial takes the compensated temperature in °C.
    const h1 = raw.adcH - (c.H1 * 16.0 + (c.H3 / 2.0) * t)
    const h2 = h1 * ((c.H2 / 262144.0) * (1.0 + (c.H4 / 16384.0) * t + (c.H5 / 1048576.0) * t * t))
    const h = h2 + (c.H6 / 16384.0 + (c.H7 / 2097152.0) * t) * h2 * h2
    return { temperature: t, pressure: pressure, humidity: h > 100.0 ? 100.0 : h < 0.0 ? 0.0 : h }
}
