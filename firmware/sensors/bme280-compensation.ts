/**
 * BME280 / BMP280 trimming parameters and compensation maths, in the
 * double-precision floating-point form of the datasheets (BME280 datasheet
 * BST-BME280-DS002 section 8.1, "Compensation formulas in double precision
 * floating point"; BMP280 datasheet BST-BMP280-DS001 section 8.1, same
 * temperature and pressure formulas). The 32/64-bit integer versions (BME280
 * 4.2.3) need 64-bit integers, which DeviceScript numbers (doubles) do not
 * have; over the operating range the float version agrees with them within
 * what is published (0.01 °C, 1 Pa, 0.01 %RH; test/sensors/bme280-compensation.test.ts
 * compares the two).
 * Portable: imports nothing from DeviceScript.
 */

/** Trimming parameters dig_T1..dig_H6 (BME280 datasheet 4.2.2, Table 16). */
export interface Bme280Calibration {
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
    H1: number
    H2: number
    H3: number
    H4: number
    H5: number
    H6: number
    /** False on a BMP280, which has no humidity channel. */
    hasHumidity: boolean
}

export interface Bme280Raw {
    adcT: number
    adcP: number
    /** -1 on a BMP280. */
    adcH: number
}

export interface Bme280Reading {
    /** °C */
    temperature: number
    /** Pa */
    pressure: number
    /** %RH, 0..100; -1 without a humidity channel. */
    humidity: number
}

/** Bytes 0x88..0xA1 (26) hold dig_T*, dig_P* and dig_H1; 0xE1..0xE7 (7) the rest of dig_H*. */
export const CALIB_TP_LENGTH = 26
export const CALIB_H_LENGTH = 7
/** The value a skipped (or not yet run) 20-bit conversion reads as (BME280 datasheet 4.2.3 / 5.4.7). */
export const ADC_SKIPPED_20 = 0x80000
/** The value a skipped 16-bit humidity conversion reads as. */
export const ADC_SKIPPED_16 = 0x8000

/** Little-endian unsigned 16 bits (the Bosch trimming registers); shared with bme680-compensation.ts. */
export function u16le(b: Buffer, off: number): number {
    return b[off] | (b[off + 1] << 8)
}

export function s16le(b: Buffer, off: number): number {
    const v = u16le(b, off)
    return v > 0x7fff ? v - 0x10000 : v
}

export function s8(v: number): number {
    return v > 0x7f ? v - 0x100 : v
}

/**
 * Unpacks the trimming parameters (BME280 datasheet 4.2.2, Table 16). `h` is
 * null on a BMP280. dig_H4 and dig_H5 are 12-bit signed values sharing 0xE5.
 */
export function parseCalibration(tp: Buffer, h: Buffer | null): Bme280Calibration {
    const c: Bme280Calibration = {
        T1: u16le(tp, 0),
        T2: s16le(tp, 2),
        T3: s16le(tp, 4),
        P1: u16le(tp, 6),
        P2: s16le(tp, 8),
        P3: s16le(tp, 10),
        P4: s16le(tp, 12),
        P5: s16le(tp, 14),
        P6: s16le(tp, 16),
        P7: s16le(tp, 18),
        P8: s16le(tp, 20),
        P9: s16le(tp, 22),
        H1: 0,
        H2: 0,
        H3: 0,
        H4: 0,
        H5: 0,
        H6: 0,
        hasHumidity: false,
    }
    if (h) {
        c.H1 = tp[25] // 0xA1
        c.H2 = s16le(h, 0) // 0xE1/0xE2
        c.H3 = h[2] // 0xE3
        c.H4 = s8(h[3]) * 16 + (h[4] & 0x0f) // 0xE4[7:0] / 0xE5[3:0]
        c.H5 = s8(h[5]) * 16 + (h[4] >> 4) // 0xE6[7:0] / 0xE5[7:4]
        c.H6 = s8(h[6]) // 0xE7
        c.hasHumidity = true
    }
    return c
}

/**
 * Registers 0xF7..0xFE: press_msb/lsb/xlsb, temp_msb/lsb/xlsb, hum_msb/lsb (BME280 datasheet 5.4.7-5.4.9).
 * The BME680 lays out its data field 0x1F..0x26 the same way (BME680 datasheet 5.3.4): bme680.ts uses this too.
 */
export function unpackRaw(data: Buffer, hasHumidity: boolean): Bme280Raw {
    return {
        adcP: (data[0] << 12) | (data[1] << 4) | (data[2] >> 4),
        adcT: (data[3] << 12) | (data[4] << 4) | (data[5] >> 4),
        adcH: hasHumidity ? (data[6] << 8) | data[7] : -1,
    }
}

/** Calibration data that reads as zeros means the NVM copy failed or no chip answered properly. */
export function calibrationLooksBlank(c: Bme280Calibration): boolean {
    return c.T1 === 0 || c.P1 === 0
}

/**
 * Datasheet 8.1 formulas. t_fine is carried as the datasheet's (BME280_S32_t)
 * cast, i.e. truncated toward zero (`| 0`, the same in C, Node and DeviceScript).
 * Returns pressure 0 if dig_P1 makes the divisor 0, as the datasheet does.
 */
export function compensate(c: Bme280Calibration, raw: Bme280Raw): Bme280Reading {
    // Temperature
    let var1 = (raw.adcT / 16384.0 - c.T1 / 1024.0) * c.T2
    const dT = raw.adcT / 131072.0 - c.T1 / 8192.0
    let var2 = dT * dT * c.T3
    const tFine = (var1 + var2) | 0
    const temperature = (var1 + var2) / 5120.0

    // Pressure
    let pressure = 0
    var1 = tFine / 2.0 - 64000.0
    var2 = (var1 * var1 * c.P6) / 32768.0
    var2 = var2 + var1 * c.P5 * 2.0
    var2 = var2 / 4.0 + c.P4 * 65536.0
    var1 = ((c.P3 * var1 * var1) / 524288.0 + c.P2 * var1) / 524288.0
    var1 = (1.0 + var1 / 32768.0) * c.P1
    if (var1 !== 0) {
        let p = 1048576.0 - raw.adcP
        p = ((p - var2 / 4096.0) * 6250.0) / var1
        var1 = (c.P9 * p * p) / 2147483648.0
        var2 = (p * c.P8) / 32768.0
        pressure = p + (var1 + var2 + c.P7) / 16.0
    }

    // Humidity (BME280 only)
    let humidity = -1
    if (c.hasHumidity && raw.adcH >= 0) {
        let h = tFine - 76800.0
        h =
            (raw.adcH - (c.H4 * 64.0 + (c.H5 / 16384.0) * h)) *
            ((c.H2 / 65536.0) * (1.0 + (c.H6 / 67108864.0) * h * (1.0 + (c.H3 / 67108864.0) * h)))
        h = h * (1.0 - (c.H1 * h) / 524288.0)
        humidity = h > 100.0 ? 100.0 : h < 0.0 ? 0.0 : h
    }
    return { temperature: temperature, pressure: pressure, humidity: humidity }
}
