import { describe, expect, test } from "@devicescript/test"
import { crc8, decodeWords } from "../../firmware/sensors/sensirion-crc"
import { ERR_CRC } from "../../firmware/sensors/sensor-error"
import { parseSensorSpec, planSensors } from "../../firmware/sensors/sensor-spec"
import { CRC8_VECTORS } from "../vectors/sensor-vectors"
import { codeOf } from "./util"

/** The portable parts, on the VM's own strings and Buffer (vitest runs the full tables in Node). */
export function specSuites() {
    describe("portable sensor code on the VM", () => {
        test("parseSensorSpec: chips, default addresses, errors", () => {
            const s = parseSensorSpec(" bme280@0x77 ,sht45,bh1750@92, foo ,scd4x@0x63")
            expect(s.chips.map(c => c.chip + "@" + c.address).join(",")).toBe("bme280@119,sht4x@68,bh1750@92")
            expect(s.rejected.join(",")).toBe("foo,scd4x@0x63")
            expect(s.errors.length).toBe(2)
            expect(parseSensorSpec("").chips[0].chip).toBe("jacdac")
        })

        test("planSensors: a chip listed twice is named by address", () => {
            const plans = planSensors(parseSensorSpec("sht4x@0x44,sht4x@0x45").chips)
            expect(plans.map(p => p.name).join(",")).toBe("sht4x_44,sht4x_45")
            expect(plans[1].keys["temperature"]).toBe("temperature_sht4x_45")
        })

        test("CRC-8 vectors (0xBEEF -> 0x92)", () => {
            for (const v of CRC8_VECTORS) expect(crc8(Buffer.from(v.bytes), 0, 2)).toBe(v.crc)
        })

        test("decodeWords rejects a bad CRC", async () => {
            const b = Buffer.from([0xbe, 0xef, 0x92, 0x00, 0x00, 0x80])
            expect(await codeOf(async () => decodeWords(b, 2, "test"))).toBe(ERR_CRC)
        })
    })
}
