/**
 * A sensor as the telemetry loop sees it: it reads, or it reports why not.
 * Sensors degrade; they never throw into the loop (the ESPHome rule).
 */
export const SENSOR_OK = "ok"
export const SENSOR_WARNING = "warning"
export const SENSOR_FAILED = "failed"

export interface Reading {
    /** Quantity name -> value in the documented unit. */
    values: Record<string, number>
}

export interface Sensor {
    readonly name: string
    /** The quantity keys this sensor fills (see telemetry/quantities.ts). */
    readonly quantities: string[]
    status: string
    /** Short error code when not ok ("not_found", "timeout", ...). */
    error: string
    lastGoodMs: number
    /** Waits (bounded) until the sensor can be read, e.g. its role is bound; never throws. */
    ready(timeoutMs: number): Promise<boolean>
    /** Fills `out` with fresh values; never throws. */
    read(out: Record<string, number>): Promise<void>
}

/**
 * The one place a sensor's health changes (the ESPHome lifecycle): `ok` after a good
 * read, `warning` while the value is published but suspect (a frozen value: "stuck"),
 * `failed` with a code while nothing is. Recovery is the next good read: setHealth(s,
 * SENSOR_OK, ""). Returns true when the status or the code changed, so callers log a
 * change once instead of once per period.
 */
export function setHealth(s: Sensor, status: string, code: string): boolean {
    const changed = s.status !== status || s.error !== code
    s.status = status
    s.error = code
    return changed
}

/** The telemetry keys of a quantity -> key map, in insertion order. */
export function keyValues(keys: Record<string, string>): string[] {
    const out: string[] = []
    for (const k of Object.keys(keys)) out.push(keys[k])
    return out
}
