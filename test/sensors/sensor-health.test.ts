/**
 * The one health helper every sensor uses (the ESPHome lifecycle): ok / warning / failed
 * with a code, and "changed" exactly when the status or the code changed, so a sensor
 * logs each change once.
 */
import { describe, expect, test } from "vitest"
import { setHealth, SENSOR_FAILED, SENSOR_OK, SENSOR_WARNING, type Sensor } from "../../firmware/sensors/sensor.ts"

function sensor(): Sensor {
    return {
        name: "s",
        quantities: [],
        status: SENSOR_FAILED,
        error: "not_found",
        lastGoodMs: 0,
        ready: async () => false,
        read: async () => {},
    }
}

describe("sensor health", () => {
    test("a sensor goes failed -> ok -> warning -> failed -> ok, each step a change", () => {
        const s = sensor()
        const steps: [string, string][] = [
            [SENSOR_OK, ""],
            [SENSOR_WARNING, "stuck"],
            [SENSOR_FAILED, "nack"],
            [SENSOR_OK, ""],
        ]
        for (const [status, code] of steps) {
            expect(setHealth(s, status, code), `${status} ${code}`).toBe(true)
            expect([s.status, s.error]).toEqual([status, code])
        }
    })

    test("the same status and code again is not a change (one log line per change, not per period)", () => {
        const s = sensor()
        expect(setHealth(s, SENSOR_FAILED, "not_found")).toBe(false)
        setHealth(s, SENSOR_OK, "")
        expect(setHealth(s, SENSOR_OK, "")).toBe(false)
    })

    test("another failure code while failed is a change", () => {
        const s = sensor()
        expect(setHealth(s, SENSOR_FAILED, "timeout")).toBe(true)
        expect(s.error).toBe("timeout")
    })

    test("it leaves the age of the last good reading to the caller", () => {
        const s = sensor()
        s.lastGoodMs = 1234
        setHealth(s, SENSOR_FAILED, "crc")
        expect(s.lastGoodMs).toBe(1234)
    })
})
