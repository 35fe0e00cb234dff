import * as ds from "@devicescript/core"
import { expect } from "@devicescript/test"
import { Quantities } from "../../firmware/sensors/chip-driver"
import { SensorError } from "../../firmware/sensors/sensor-error"

/** Values as the firmware publishes them: rounded to 0.01. */
export function round2(v: number): number {
    return Math.round(v * 100) / 100
}

/** expect(value rounded to 0.01).toBe(expected), with the name in the failure message. */
export function expectValue(q: Quantities, key: string, expected: number) {
    const v = q[key]
    if (typeof v !== "number") throw new Error("no " + key + " in the reading")
    expect(key + "=" + round2(v)).toBe(key + "=" + expected)
}

/** Runs `f`, which must throw a SensorError; returns its code. */
export async function codeOf(f: () => Promise<any>): Promise<string> {
    try {
        await f()
    } catch (e) {
        if (e instanceof SensorError) return (e as SensorError).code
        return "not a SensorError: " + (e as Error).message
    }
    return "no error"
}

/** Long runs of vectors yield, or the VM's InfiniteLoop watchdog fires. */
export async function yieldToVm() {
    await ds.sleep(0)
}
