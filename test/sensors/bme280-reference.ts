/**
 * An independent Node reference of the BME280 datasheet's integer
 * compensation (BST-BME280-DS002 4.2.3: int32 temperature and humidity, int64
 * pressure), written with BigInt so the 64-bit arithmetic is exact. The
 * firmware uses the double formulas of section 8.1; the tests compare both.
 */
import type { Bme280Calibration } from "../../firmware/sensors/bme280-compensation.ts"

const i32 = (x: bigint) => BigInt.asIntN(32, x)
const i64 = (x: bigint) => BigInt.asIntN(64, x)

export interface IntResult {
    tFine: number
    /** 0.01 °C */
    t: number
    /** Pa in Q24.8 */
    pQ24_8: number
    /** %RH in Q22.10 */
    hQ22_10: number
}

export function compensateInt(c: Bme280Calibration, adcT: number, adcP: number, adcH: number): IntResult {
    const T = BigInt(adcT)
    const T1 = BigInt(c.T1)
    const var1 = i32((i32((T >> 3n) - (T1 << 1n)) * BigInt(c.T2)) >> 11n)
    const d = i32((T >> 4n) - T1)
    const var2 = i32((i32((d * d) >> 12n) * BigInt(c.T3)) >> 14n)
    const tFine = i32(var1 + var2)
    const t = i32((tFine * 5n + 128n) >> 8n)

    let v1 = i64(tFine - 128000n)
    let v2 = i64(v1 * v1 * BigInt(c.P6))
    v2 = i64(v2 + ((v1 * BigInt(c.P5)) << 17n))
    v2 = i64(v2 + (BigInt(c.P4) << 35n))
    v1 = i64(((v1 * v1 * BigInt(c.P3)) >> 8n) + ((v1 * BigInt(c.P2)) << 12n))
    v1 = i64(((1n << 47n) + v1) * BigInt(c.P1)) >> 33n
    let p = 0n
    if (v1 !== 0n) {
        p = 1048576n - BigInt(adcP)
        p = i64((((p << 31n) - v2) * 3125n) / v1) // C division truncates toward zero, as BigInt does
        const w1 = i64((BigInt(c.P9) * (p >> 13n) * (p >> 13n)) >> 25n)
        const w2 = i64((BigInt(c.P8) * p) >> 19n)
        p = ((p + w1 + w2) >> 8n) + (BigInt(c.P7) << 4n)
    }

    let x = i32(tFine - 76800n)
    const a = i32(((BigInt(adcH) << 14n) - (BigInt(c.H4) << 20n) - BigInt(c.H5) * x + 16384n) >> 15n)
    const b = i32(
        (((((x * BigInt(c.H6)) >> 10n) * (((x * BigInt(c.H3)) >> 11n) + 32768n)) >> 10n) + 2097152n) * BigInt(c.H2) +
            8192n,
    )
    x = i32(a * (b >> 14n))
    x = i32(x - (((((x >> 15n) * (x >> 15n)) >> 7n) * BigInt(c.H1)) >> 4n))
    if (x < 0n) x = 0n
    if (x > 419430400n) x = 419430400n

    return { tFine: Number(tFine), t: Number(t), pQ24_8: Number(BigInt.asUintN(32, p)), hQ22_10: Number(x >> 12n) }
}
