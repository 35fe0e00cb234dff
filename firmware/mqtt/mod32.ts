/**
 * Remainders that are the same on both runtimes. DeviceScript compiles `%` to `Math.imod`, which
 * converts both operands to int32 first (devicescript compiler.ts `emitBin`; runtime impl_math.c
 * `fun2_Math_imod`): `x % 4294967296` is 0 on the VM (the divisor becomes 0), and an operand beyond
 * ±2^31 or with a fraction gives another answer than Node. Found in issue 23: every time stamp the
 * window and the queue kept (`now % 2^32`) was 0 on the device, so `rtt_ms` was always 0, queued
 * messages never expired and a lost PUBACK was never timed out. `%` stays only where both operands
 * are int32 (indexes, counters that wrap below 2^31); everything else uses `mod`.
 *
 * Portable: imports nothing.
 */

/** 2^32: times are kept in 32-bit record fields, modulo this. */
export const U32 = 4294967296

/** a mod b, floored (0 ≤ result < b for b > 0, also for a negative a); exact for |a| < 2^53. */
export function mod(a: number, b: number): number {
    return a - Math.floor(a / b) * b
}
