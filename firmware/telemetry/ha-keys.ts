/**
 * What the HA_KEYS setting remembers: the SENSORS text whose Home Assistant entities were announced,
 * not the list of entity keys. The keys follow from it (planSensors), so a key that left the config
 * can still be removed, and the value is exactly as long as the SENSORS setting itself ("HA_KEYS" and
 * "SENSORS" are both 7 characters): if SENSORS can be read back, so can HA_KEYS. The old format, a
 * JSON list of keys, outgrew the 232-byte limit with five sensors (issue 14). Portable.
 */
import { keyValues } from "../sensors/sensor"
import { parseSensorSpec, planSensors } from "../sensors/sensor-spec"

export const HA_KEYS_SETTING = "HA_KEYS"

/** The telemetry keys of a SENSORS text, in payload order. */
export function keysOfSpec(spec: string): string[] {
    const out: string[] = []
    for (const p of planSensors(parseSensorSpec(spec).chips)) for (const k of keyValues(p.keys)) out.push(k)
    return out
}

/** The keys announced before, from the stored value: a SENSORS text, a key list (before 0.2), or nothing (null). */
export function previousKeys(stored: any): string[] {
    if (typeof stored === "string") return keysOfSpec(stored)
    if (Array.isArray(stored)) return stored as string[]
    return []
}
