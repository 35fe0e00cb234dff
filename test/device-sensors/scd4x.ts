import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { SCD4xDriver, scd4xHumidity, scd4xTemperature } from "../../firmware/sensors/scd4x"
import { ERR_CRC, ERR_NACK, ERR_NOT_FOUND, ERR_TIMEOUT } from "../../firmware/sensors/sensor-error"
import { SCD4X_EXAMPLE } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeSCD4x } from "./fakes/fake-scd4x"
import { codeOf, expectValue, round2 } from "./util"

/** Short data timeout so the timeout case takes 150 ms, not the default 10 s. */
const TEST_DATA_TIMEOUT_MS = 150

export function scd4xSuites() {
    describe("SCD4x driver on a fake chip", () => {
        test("conversion formulas reproduce the datasheet example: 500 ppm, 25 °C, 37 %RH", () => {
            expect(round2(scd4xTemperature(SCD4X_EXAMPLE.words[1]))).toBe(SCD4X_EXAMPLE.temperature)
            expect(round2(scd4xHumidity(SCD4X_EXAMPLE.words[2]))).toBe(SCD4X_EXAMPLE.humidity)
        })

        test("periodic measurement: stop, serial, start; first-result timeout; 0 ppm skipped; example; cached value; crc; nack", async () => {
            const bus = new FakeI2C()
            const chip = new FakeSCD4x(0x62)
            bus.attach(chip)
            chip.periodic = true // still measuring from before an MCU reset: init must stop it first
            const d = new SCD4xDriver(0x62, { client: bus, dataTimeoutMs: TEST_DATA_TIMEOUT_MS })
            await d.init()
            expect(chip.periodic).toBe(true)
            expect(chip.starts).toBe(1)
            expect(d.describe()).toBe("serial 0xf8969f073bb3")
            expect(chip.refused).toBe(0) // nothing was sent while the chip could not take it

            const t0 = ds.millis()
            expect(await codeOf(async () => await d.measure())).toBe(ERR_TIMEOUT) // no first result
            expect(ds.millis() - t0 < 1000).toBe(true)

            // Sensirion's drivers skip a 0 ppm sample (the first after a restart can be empty).
            chip.pushMeasurement([0, 0x6667, 0x5eb9])
            expect(await codeOf(async () => await d.measure())).toBe(ERR_TIMEOUT)

            chip.pushMeasurement(SCD4X_EXAMPLE.words)
            let q = await d.measure()
            expectValue(q, "co2", SCD4X_EXAMPLE.co2)
            expectValue(q, "temperature", SCD4X_EXAMPLE.temperature)
            expectValue(q, "humidity", SCD4X_EXAMPLE.humidity)

            // No new result yet: the newest one (younger than the 5 s interval) is still current.
            q = await d.measure()
            expectValue(q, "co2", SCD4X_EXAMPLE.co2)

            chip.corruptMeasurements = 1
            chip.pushMeasurement([600, 0x6667, 0x5eb9])
            expect(await codeOf(async () => await d.measure())).toBe(ERR_CRC)

            chip.present = false
            expect(await codeOf(async () => await d.measure())).toBe(ERR_NACK)
        })

        test("nothing at 0x62 is not_found", async () => {
            const bus = new FakeI2C()
            expect(await codeOf(async () => await new SCD4xDriver(0x62, { client: bus }).init())).toBe(ERR_NOT_FOUND)
        })
    })
}
