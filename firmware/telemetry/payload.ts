/**
 * The telemetry JSON: `boot` (the random id of this boot), `seq` (+1 per
 * message since boot), `ts` (Unix ms when read, only once the clock is synced:
 * never a guess), `uptime_ms`, one
 * number per quantity that read fine, and `status` naming every sensor that
 * is not ok. Never NaN, never null: a quantity is either present or explained.
 */
import { Sensor, SENSOR_OK } from "../sensors/sensor"

export interface SensorStatus {
    status: string
    error: string
    /** Age of the last good reading; -1 if there never was one. */
    age_ms: number
}

export function buildPayload(
    boot: string,
    seq: number,
    ts: number,
    uptimeMs: number,
    values: Record<string, number>,
    sensors: Sensor[],
): any {
    const p: any = { boot: boot, seq: seq }
    if (!isNaN(ts)) p.ts = ts
    p.uptime_ms = uptimeMs
    for (const k of Object.keys(values)) {
        const v = values[k]
        if (typeof v === "number" && !isNaN(v) && v !== Infinity && v !== -Infinity) p[k] = v
    }
    let status: any = null
    for (const s of sensors) {
        if (s.status === SENSOR_OK) continue
        if (!status) status = {}
        const st: SensorStatus = {
            status: s.status,
            error: s.error,
            age_ms: s.lastGoodMs > 0 ? uptimeMs - s.lastGoodMs : -1,
        }
        status[s.name] = st
    }
    if (status) p.status = status
    return p
}
