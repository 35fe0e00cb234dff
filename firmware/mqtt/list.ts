/**
 * Array helpers inside the DeviceScript subset (no splice, no concat, and
 * closures may not capture loop variables).
 */

/** A new array without the elements identical to `item`. */
export function without<T>(arr: T[], item: T): T[] {
    const r: T[] = []
    for (const x of arr) if (x !== item) r.push(x)
    return r
}
