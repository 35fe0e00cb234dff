import { describe, expect, test } from "@devicescript/test"
import { SHT4xDriver, sht4xHumidity, sht4xTemperature } from "../../firmware/sensors/sht4x"
import { ERR_CRC, ERR_NACK, ERR_NOT_FOUND } from "../../firmware/sensors/sensor-error"
import { SHT4X_HUMIDITY_VECTORS, SHT4X_TEMPERATURE_VECTORS } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeSHT4x } from "./fakes/fake-sht4x"
import { codeOf, expectValue, round2, yieldToVm } from "./util"

function rig() {
    const bus = new FakeI2C()
    const chip = new FakeSHT4x(0x44)
    bus.attach(chip)
    return { bus, chip, driver: new SHT4xDriver(0x44, { client: bus }) }
}

export function sht4xSuites() {
    describe("SHT4x driver on a fake chip", () => {
        test("conversion formulas match the datasheet vectors", async () => {
            for (const v of SHT4X_TEMPERATURE_VECTORS)
                expect(v.what + " " + round2(sht4xTemperature(v.ticks))).toBe(v.what + " " + v.value)
            await yieldToVm()
            for (const v of SHT4X_HUMIDITY_VECTORS)
                expect(v.what + " " + round2(sht4xHumidity(v.ticks))).toBe(v.what + " " + v.value)
        })

        test("reads the serial number at init and measures through the chip", async () => {
            const r = rig()
            await r.driver.init()
            expect(r.driver.describe()).toBe("serial 0x12345678")
            for (let i = 0; i < 3; i++) {
                const t = SHT4X_TEMPERATURE_VECTORS[i + 1]
                const h = SHT4X_HUMIDITY_VECTORS[i + 1]
                r.chip.tTicks = t.ticks
                r.chip.rhTicks = h.ticks
                const q = await r.driver.measure()
                expectValue(q, "temperature", t.value)
                expectValue(q, "humidity", h.value)
            }
        })

        test("waits the conversion time: the chip never NACKs a read for being early", async () => {
            const r = rig()
            await r.driver.init()
            await r.driver.measure()
            await r.driver.measure()
            expect(r.chip.readsTooEarly).toBe(0)
            expect(r.chip.measurements).toBe(2)
        })

        test("a corrupted word is a crc error; the next read is fine", async () => {
            const r = rig()
            await r.driver.init()
            r.chip.tTicks = 26214
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_CRC)
            expectValue(await r.driver.measure(), "temperature", 25)
        })

        test("a corrupted serial number fails init with crc", async () => {
            const r = rig()
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_CRC)
        })

        test("nothing at the address is not_found; an unplugged chip is a nack", async () => {
            const r = rig()
            expect(await codeOf(async () => await new SHT4xDriver(0x45, { client: r.bus }).init())).toBe(ERR_NOT_FOUND)
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })
    })
}
