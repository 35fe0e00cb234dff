import { describe, expect, test } from "@devicescript/test"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { ERR_BAD_ID, ERR_CRC, ERR_NACK, ERR_NOT_FOUND } from "../../firmware/sensors/sensor-error"
import { SHT3xDriver, sht3xHumidity, sht3xTemperature } from "../../firmware/sensors/sht3x"
import { SHT3X_HUMIDITY_VECTORS, SHT3X_TEMPERATURE_VECTORS } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeSHT3x } from "./fakes/fake-sht3x"
import { codeOf, expectValue, round2, yieldToVm } from "./util"

function rig(address: number) {
    const bus = new FakeI2C()
    const chip = new FakeSHT3x(address)
    bus.attach(chip)
    return { bus, chip, driver: new SHT3xDriver(address, { client: bus }) }
}

export function sht3xSuites() {
    describe("SHT3x driver on a fake chip", () => {
        test("conversion formulas match the datasheet vectors (4.13, 2^16 - 1)", async () => {
            for (const v of SHT3X_TEMPERATURE_VECTORS)
                expect(v.what + " " + round2(sht3xTemperature(v.ticks))).toBe(v.what + " " + v.value)
            await yieldToVm()
            for (const v of SHT3X_HUMIDITY_VECTORS)
                expect(v.what + " " + round2(sht3xHumidity(v.ticks))).toBe(v.what + " " + v.value)
        })

        test("soft reset and status at init, then single-shot measurements through the chip at 0x45", async () => {
            const r = rig(0x45)
            await r.driver.init()
            expect(r.chip.resets).toBe(1)
            expect(r.driver.describe()).toBe("status 0x8010")
            for (let i = 0; i < SHT3X_TEMPERATURE_VECTORS.length; i++) {
                const t = SHT3X_TEMPERATURE_VECTORS[i]
                const h = SHT3X_HUMIDITY_VECTORS[i]
                r.chip.tTicks = t.ticks
                r.chip.rhTicks = h.ticks
                const q = await r.driver.measure()
                expectValue(q, "temperature", t.value)
                expectValue(q, "humidity", h.value)
            }
        })

        test("waits the measurement time: the chip never NACKs a read for being early", async () => {
            const r = rig(0x44)
            await r.driver.init()
            await r.driver.measure()
            await r.driver.measure()
            expect(r.chip.readsTooEarly).toBe(0)
            expect(r.chip.measurements).toBe(2)
        })

        test("a corrupted word is a crc error; the next read is fine", async () => {
            const r = rig(0x44)
            await r.driver.init()
            r.chip.tTicks = 0x6666
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_CRC)
            expectValue(await r.driver.measure(), "temperature", 25)
        })

        test("a corrupted status word fails init with crc", async () => {
            const r = rig(0x44)
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_CRC)
        })

        test("a status word with reserved bits set is bad_id", async () => {
            const r = rig(0x44)
            r.chip.status = 0xffff
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_BAD_ID)
            r.chip.status = 0x83f0 // bits 9:5 are 'x' in Table 18: accepted
            await r.driver.init()
        })

        test("nothing at the address is not_found; an unplugged chip is a nack", async () => {
            const r = rig(0x44)
            expect(await codeOf(async () => await new SHT3xDriver(0x45, { client: r.bus }).init())).toBe(ERR_NOT_FOUND)
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })

        test("I2CSensor: a chip that disappears is failed/nack; when it comes back it is reset and ok", async () => {
            const r = rig(0x44)
            r.chip.tTicks = 0x6666
            r.chip.rhTicks = 0x8000
            const s = new I2CSensor("sht30", r.driver, {})
            expect(await s.ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await s.read(out)
            expect(out["temperature"]).toBe(25)
            r.chip.present = false
            await s.read(out)
            expect(s.status + "/" + s.error).toBe(SENSOR_FAILED + "/nack")
            r.chip.present = true
            const again: Record<string, number> = {}
            await s.read(again)
            expect(s.status).toBe(SENSOR_OK)
            expect(r.chip.resets).toBe(2) // configured again before reading
            expect(again["humidity"]).toBe(50)
        })
    })
}
