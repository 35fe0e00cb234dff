import { describe, expect, test } from "vitest"
import { HA_KEYS_SETTING, keysOfSpec, previousKeys } from "../../firmware/telemetry/ha-keys.ts"
import { SETTING_MAX_BYTES, settingBytes, settingFits } from "../../firmware/settings-limit.ts"
import { CHIPS, parseSensorSpec } from "../../firmware/sensors/sensor-spec.ts"
import { EVERY_SENSOR } from "../support/every-sensor.ts"

describe("HA_KEYS: the announced SENSORS text, within the settings read-back limit", () => {
    test("the setting limit is key + NUL + JSON <= 232 bytes (a longer one panics the next readSetting)", () => {
        expect(settingBytes("HA_KEYS", "x".repeat(222))).toBe(232)
        expect(settingFits("HA_KEYS", "x".repeat(222))).toBe(true)
        expect(settingFits("HA_KEYS", "x".repeat(223))).toBe(false)
        // UTF-8 bytes, not characters
        expect(settingBytes("K", "°")).toBe(1 + 1 + 4)
    })

    test("with every sensor configured the stored value fits, where the old key list did not", () => {
        const keys = keysOfSpec(EVERY_SENSOR)
        expect(keys.length).toBeGreaterThan(20)
        expect(parseSensorSpec(EVERY_SENSOR).errors).toEqual([])
        // bme680 shares 0x76/0x77 with bme280/bmp280 (test/support/every-sensor.ts)
        for (const c of CHIPS.filter(c => c.chip !== "bme680")) expect(EVERY_SENSOR).toContain(c.chip)
        expect(settingBytes(HA_KEYS_SETTING, EVERY_SENSOR)).toBeLessThanOrEqual(SETTING_MAX_BYTES)
        // The list of keys written before issue 14: a reboot loop on hardware.
        expect(settingBytes(HA_KEYS_SETTING, keys)).toBeGreaterThan(SETTING_MAX_BYTES)
    })

    test("HA_KEYS and SENSORS are the same length, so whatever SENSORS can be read back, HA_KEYS can", () => {
        expect(HA_KEYS_SETTING.length).toBe("SENSORS".length)
    })

    test("the keys follow from the SENSORS text as the firmware names them", () => {
        expect(keysOfSpec("")).toEqual(["temperature", "humidity", "pressure"])
        expect(keysOfSpec("jacdac,jacdac_light")).toEqual(["temperature", "humidity", "pressure", "illuminance"])
        expect(keysOfSpec("bme280,sht4x")).toEqual([
            "temperature",
            "humidity",
            "pressure",
            "temperature_sht4x",
            "humidity_sht4x",
        ])
    })

    test("previous keys: from a SENSORS text, from a key list of an older firmware, or none", () => {
        expect(previousKeys("bh1750")).toEqual(["illuminance"])
        expect(previousKeys(["temperature", "gone"])).toEqual(["temperature", "gone"])
        expect(previousKeys(null)).toEqual([])
        expect(previousKeys(42)).toEqual([])
    })
})
