/**
 * An independent Node reference of the integer compensation in Bosch's BME68x
 * Sensor API (bme68x.c without BME68X_USE_FPU: calc_temperature,
 * calc_pressure, calc_humidity), written with BigInt and explicit int32
 * wrapping so the C arithmetic is exact. The firmware uses the API's
 * floating-point formulas; test/sensors/bme680-compensation.test.ts compares both.
 */
import type { Bme680Calibration } from "../../firmware/sensors/bme680-compensation.ts"

const i32 = (x: bigint) => BigInt.asIntN(32, x)
const u32 = (x: bigint) => BigInt.asUintN(32, x)
/** C integer division truncates toward zero, as BigInt division does. */
const div = (a: bigint, b: bigint) => i32(a / b)

export interface Bme680IntResult {
    tFine: number
    /** 0.01 °C */
    t: number
    /** Pa */
    p: number
    /** 0.001 %RH, cropped to 0..100000 */
    h: number
}

export function compensateBme680Int(c: Bme680Calibration, adcT: number, adcP: number, adcH: number): Bme680IntResult {
    const B = BigInt
    // Temperature (int64 intermediates in the API; nothing here overflows them)
    const v1 = (B(adcT) >> 3n) - (B(c.T1) << 1n)
    const v2 = (v1 * B(c.T2)) >> 11n
    let v3 = ((v1 >> 1n) * (v1 >> 1n)) >> 12n
    v3 = (v3 * (B(c.T3) << 4n)) >> 14n
    const tFine = i32(v2 + v3)
    const t = i32((tFine * 5n + 128n) >> 8n)

    // Pressure (int32 in the API)
    let var1 = i32((tFine >> 1n) - 64000n)
    let var2 = i32((i32(i32((var1 >> 2n) * (var1 >> 2n)) >> 11n) * B(c.P6)) >> 2n)
    var2 = i32(var2 + i32(i32(var1 * B(c.P5)) << 1n))
    var2 = i32((var2 >> 2n) + (B(c.P4) << 16n))
    var1 = i32(
        (i32(i32(i32((var1 >> 2n) * (var1 >> 2n)) >> 13n) * (B(c.P3) << 5n)) >> 3n) + (i32(B(c.P2) * var1) >> 1n),
    )
    var1 = var1 >> 18n
    var1 = i32(((32768n + var1) * B(c.P1)) >> 15n)
    let p = i32(1048576n - B(adcP))
    p = i32(u32(i32(p - (var2 >> 12n)) * 3125n)) // int32 * uint32: an unsigned product, cast back
    p = p >= 0x40000000n ? i32(div(p, var1) << 1n) : div(i32(p << 1n), var1)
    var1 = i32((B(c.P9) * i32(i32((p >> 3n) * (p >> 3n)) >> 13n)) >> 12n)
    var2 = i32((i32(p >> 2n) * B(c.P8)) >> 13n)
    const var3 = i32((i32(i32((p >> 8n) * (p >> 8n)) * (p >> 8n)) * B(c.P10)) >> 17n)
    p = i32(p + ((var1 + var2 + var3 + (B(c.P7) << 7n)) >> 4n))

    // Humidity (int32)
    const ts = i32((tFine * 5n + 128n) >> 8n)
    const h1 = i32(B(adcH) - B(c.H1) * 16n - (div(ts * B(c.H3), 100n) >> 1n))
    const h2 = i32(
        (B(c.H2) * (div(ts * B(c.H4), 100n) + div((ts * div(ts * B(c.H5), 100n)) >> 6n, 100n) + (1n << 14n))) >> 10n,
    )
    const h3 = i32(h1 * h2)
    let h4 = B(c.H6) << 7n
    h4 = i32((h4 + div(ts * B(c.H7), 100n)) >> 4n)
    const h5 = i32(((h3 >> 14n) * (h3 >> 14n)) >> 10n)
    const h6 = i32((h4 * h5) >> 1n)
    let h = i32((i32((h3 + h6) >> 10n) * 1000n) >> 12n)
    if (h > 100000n) h = 100000n
    if (h < 0n) h = 0n

    return { tFine: Number(tFine), t: Number(t), p: Number(p), h: Number(h) }
}
