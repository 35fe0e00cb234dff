import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { AHT20Driver, aht20Humidity, aht20Temperature } from "../../firmware/sensors/aht20"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { crc8 } from "../../firmware/sensors/sensirion-crc"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { ERR_BAD_ID, ERR_CRC, ERR_NACK, ERR_NOT_FOUND, ERR_TIMEOUT } from "../../firmware/sensors/sensor-error"
import {
    AHT20_FRAME_EXAMPLE,
    AHT20_HUMIDITY_VECTORS,
    AHT20_TEMPERATURE_VECTORS,
    encodeAht20Frame,
} from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeAHT20 } from "./fakes/fake-aht20"
import { codeOf, expectValue, round2, yieldToVm } from "./util"

function rig() {
    const bus = new FakeI2C()
    const chip = new FakeAHT20(0x38)
    bus.attach(chip)
    return { bus, chip, driver: new AHT20Driver(0x38, { client: bus }) }
}

export function aht20Suites() {
    describe("AHT20 driver on a fake chip", () => {
        test("conversion formulas match the datasheet vectors (20-bit codes)", async () => {
            for (const v of AHT20_HUMIDITY_VECTORS)
                expect(v.what + " " + round2(aht20Humidity(v.ticks))).toBe(v.what + " " + v.value)
            await yieldToVm()
            for (const v of AHT20_TEMPERATURE_VECTORS)
                expect(v.what + " " + round2(aht20Temperature(v.ticks))).toBe(v.what + " " + v.value)
        })

        test("a real chip's frame: CRC over six bytes and the 20-bit fields", () => {
            const f = AHT20_FRAME_EXAMPLE
            expect(crc8(Buffer.from(f.bytes), 0, 6)).toBe(f.bytes[6])
            expect(encodeAht20Frame(f.bytes[0], f.rhRaw, f.tRaw).toString("hex")).toBe(
                Buffer.from(f.bytes).toString("hex"),
            )
        })

        test("measures through the chip: the real chip's values, then the vectors", async () => {
            const r = rig()
            await r.driver.init()
            expect(r.chip.inits).toBe(0) // already calibrated: no initialisation command
            expect(r.driver.describe()).toBe("status 0x18")
            r.chip.rhRaw = AHT20_FRAME_EXAMPLE.rhRaw
            r.chip.tRaw = AHT20_FRAME_EXAMPLE.tRaw
            let q = await r.driver.measure()
            expectValue(q, "humidity", AHT20_FRAME_EXAMPLE.humidity)
            expectValue(q, "temperature", AHT20_FRAME_EXAMPLE.temperature)
            r.chip.rhRaw = AHT20_HUMIDITY_VECTORS[1].ticks
            r.chip.tRaw = AHT20_TEMPERATURE_VECTORS[1].ticks
            q = await r.driver.measure()
            expectValue(q, "humidity", 50)
            expectValue(q, "temperature", 25)
            expect(r.chip.measurements).toBe(2)
        })

        test("calibration bit 0: sends 0xBE 0x08 0x00 at init, then reads normally", async () => {
            const r = rig()
            r.chip.calibrated = false
            await r.driver.init()
            expect(r.chip.inits).toBe(1)
            expect(r.chip.calibrated).toBe(true)
        })

        test("a calibration bit that stays 0 after initialisation is bad_id", async () => {
            const r = rig()
            r.chip.calibrated = false
            r.chip.refusesInit = true
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_BAD_ID)
        })

        test("a corrupted frame is a crc error; the next read is fine", async () => {
            const r = rig()
            await r.driver.init()
            r.chip.tRaw = 0x60000
            r.chip.corruptReads = 1
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_CRC)
            expectValue(await r.driver.measure(), "temperature", 25)
        })

        test("a measurement that stays busy is a timeout, bounded in time", async () => {
            const r = rig()
            await r.driver.init()
            r.chip.stuck = true
            const t0 = ds.millis()
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_TIMEOUT)
            expect(ds.millis() - t0 < 500).toBe(true)
        })

        test("nothing at 0x38 is not_found; an unplugged chip is a nack", async () => {
            expect(await codeOf(async () => await new AHT20Driver(0x38, { client: new FakeI2C() }).init())).toBe(
                ERR_NOT_FOUND,
            )
            const r = rig()
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })

        test("I2CSensor: a chip that disappears is failed/nack; when it comes back it is ok again", async () => {
            const r = rig()
            r.chip.rhRaw = 0x80000
            r.chip.tRaw = 0x60000
            const s = new I2CSensor("aht20", r.driver, {})
            expect(await s.ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await s.read(out)
            expect(out["humidity"]).toBe(50)
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
