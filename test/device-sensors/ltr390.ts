import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { LTR390_GAIN, LTR390_INT_FACTOR, LTR390Driver, ltr390Lux } from "../../firmware/sensors/ltr390"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { ERR_BAD_ID, ERR_NACK, ERR_NOT_FOUND, ERR_TIMEOUT } from "../../firmware/sensors/sensor-error"
import { LTR390_LUX_VECTORS } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeLTR390 } from "./fakes/fake-ltr390"
import { codeOf, expectValue, round2 } from "./util"

function rig() {
    const bus = new FakeI2C()
    const chip = new FakeLTR390(0x53)
    bus.attach(chip)
    return { bus, chip, driver: new LTR390Driver(0x53, { client: bus }) }
}

export function ltr390Suites() {
    describe("LTR390 driver on a fake chip", () => {
        test("lux = 0.6 * ALS / (gain * int) * W_FAC, the datasheet formula", () => {
            for (const v of LTR390_LUX_VECTORS)
                expect(v.what + " " + round2(ltr390Lux(v.als, v.gain, v.intFactor))).toBe(v.what + " " + v.lux)
        })

        test("checks the part id, configures gain 3 / 18 bit, measures in ALS mode and goes back to standby", async () => {
            const r = rig()
            r.chip.regs[0x04] = 0x40 // left at 16 bit by someone else
            r.chip.regs[0x05] = 0x04 // and gain 18
            await r.driver.init()
            expect(r.driver.describe()).toBe("part id 0xb2")
            expect(r.chip.regs[0x04]).toBe(0x22)
            expect(r.chip.regs[0x05]).toBe(0x01)
            expect(LTR390_GAIN * LTR390_INT_FACTOR).toBe(3)
            for (const v of LTR390_LUX_VECTORS) {
                if (v.gain !== LTR390_GAIN || v.intFactor !== LTR390_INT_FACTOR) continue
                r.chip.als = v.als
                expectValue(await r.driver.measure(), "illuminance", v.lux)
                expect(r.chip.enabled()).toBe(false)
            }
            expect(r.chip.conversions).toBe(4)
        })

        test("a part id that is not 0xBx is bad_id", async () => {
            const r = rig()
            r.chip.partId = 0xa0 // what an LTR-329 answers at its own PART_ID register
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_BAD_ID)
        })

        test("a conversion that never ends is a timeout, bounded in time", async () => {
            const r = rig()
            await r.driver.init()
            r.chip.stuck = true
            const t0 = ds.millis()
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_TIMEOUT)
            expect(ds.millis() - t0 < 600).toBe(true)
        })

        test("nothing at 0x53 is not_found; an unplugged chip is a nack", async () => {
            expect(await codeOf(async () => await new LTR390Driver(0x53, { client: new FakeI2C() }).init())).toBe(
                ERR_NOT_FOUND,
            )
            const r = rig()
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })

        test("I2CSensor: a chip that disappears is failed/nack; when it comes back it is ok again", async () => {
            const r = rig()
            r.chip.als = 2500
            const s = new I2CSensor("ltr390", r.driver, {})
            expect(await s.ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await s.read(out)
            expect(out["illuminance"]).toBe(500)
            r.chip.present = false
            await s.read(out)
            expect(s.status + "/" + s.error).toBe(SENSOR_FAILED + "/nack")
            r.chip.powerOn() // lost power while away
            r.chip.present = true
            const again: Record<string, number> = {}
            await s.read(again)
            expect(s.status).toBe(SENSOR_OK)
            expect(again["illuminance"]).toBe(500)
        })
    })
}
