import { describe, expect, test } from "@devicescript/test"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { ERR_BAD_ID, ERR_CRC, ERR_NACK, ERR_NOT_FOUND } from "../../firmware/sensors/sensor-error"
import { SHTC3Driver, shtc3Humidity, shtc3Temperature } from "../../firmware/sensors/shtc3"
import { SHTC3_HUMIDITY_VECTORS, SHTC3_TEMPERATURE_VECTORS } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeSHTC3 } from "./fakes/fake-shtc3"
import { codeOf, expectValue, round2, yieldToVm } from "./util"

function rig() {
    const bus = new FakeI2C()
    const chip = new FakeSHTC3(0x70)
    bus.attach(chip)
    return { bus, chip, driver: new SHTC3Driver(0x70, { client: bus }) }
}

export function shtc3Suites() {
    describe("SHTC3 driver on a fake chip", () => {
        test("conversion formulas match the datasheet vectors (2^16)", async () => {
            for (const v of SHTC3_TEMPERATURE_VECTORS)
                expect(v.what + " " + round2(shtc3Temperature(v.ticks))).toBe(v.what + " " + v.value)
            await yieldToVm()
            for (const v of SHTC3_HUMIDITY_VECTORS)
                expect(v.what + " " + round2(shtc3Humidity(v.ticks))).toBe(v.what + " " + v.value)
        })

        test("checks the ID, then wakes, measures T first and sleeps again on every read", async () => {
            const r = rig()
            await r.driver.init()
            expect(r.driver.describe()).toBe("id 0x0887")
            expect(r.chip.asleep).toBe(true)
            for (let i = 0; i < SHTC3_TEMPERATURE_VECTORS.length; i++) {
                const t = SHTC3_TEMPERATURE_VECTORS[i]
                const h = SHTC3_HUMIDITY_VECTORS[i]
                r.chip.tTicks = t.ticks
                r.chip.rhTicks = h.ticks
                const q = await r.driver.measure()
                expectValue(q, "temperature", t.value)
                expectValue(q, "humidity", h.value)
                expect(r.chip.asleep).toBe(true)
            }
            expect(r.chip.sleeps).toBe(1 + SHTC3_TEMPERATURE_VECTORS.length)
            expect(r.chip.refusedAsleep).toBe(0) // never talked to it asleep
            expect(r.chip.readsTooEarly).toBe(0) // waited the measurement time
        })

        test("a chip left asleep (the MCU restarted) is woken at init", async () => {
            const r = rig()
            r.chip.asleep = true
            await r.driver.init()
            expect(r.chip.refusedAsleep).toBe(0)
        })

        test("a corrupted word is a crc error; the next read is fine", async () => {
            const r = rig()
            await r.driver.init()
            r.chip.tTicks = 0x6667
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_CRC)
            expectValue(await r.driver.measure(), "temperature", 25)
        })

        test("a corrupted ID word fails init with crc", async () => {
            const r = rig()
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_CRC)
        })

        test("an ID without the SHTC3 product code (an SHTC1: 0x0007) is bad_id", async () => {
            const r = rig()
            r.chip.id = 0x0007
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_BAD_ID)
        })

        test("nothing at 0x70 is not_found; an unplugged chip is a nack", async () => {
            expect(await codeOf(async () => await new SHTC3Driver(0x70, { client: new FakeI2C() }).init())).toBe(
                ERR_NOT_FOUND,
            )
            const r = rig()
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })

        test("I2CSensor: a chip that disappears is failed/nack; when it comes back it is ok again", async () => {
            const r = rig()
            r.chip.tTicks = 0x6667
            r.chip.rhTicks = 0x5eb9
            const s = new I2CSensor("shtc3", r.driver, {})
            expect(await s.ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await s.read(out)
            expect(out["humidity"]).toBe(37)
            r.chip.present = false
            await s.read(out)
            expect(s.status + "/" + s.error).toBe(SENSOR_FAILED + "/nack")
            r.chip.powerCycle()
            r.chip.present = true
            const again: Record<string, number> = {}
            await s.read(again)
            expect(s.status).toBe(SENSOR_OK)
            expect(again["temperature"]).toBe(25)
        })
    })
}
