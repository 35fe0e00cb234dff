import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { BME680Driver, CHIP_ID_BME680 } from "../../firmware/sensors/bme680"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { ERR_BAD_ID, ERR_NACK, ERR_NOT_FOUND, ERR_TIMEOUT, SensorError } from "../../firmware/sensors/sensor-error"
import { BME680_EXAMPLE } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeBME680 } from "./fakes/fake-bme680"
import { codeOf, expectValue } from "./util"

const E = BME680_EXAMPLE

function rig(chipId: number) {
    const bus = new FakeI2C()
    const chip = new FakeBME680(0x77, chipId, E.cal)
    bus.attach(chip)
    chip.adcT = E.adcT
    chip.adcP = E.adcP
    chip.adcH = E.adcH
    const driver = new BME680Driver(0x77, { client: bus })
    return { bus, chip, driver }
}

async function messageOf(f: () => Promise<any>): Promise<string> {
    try {
        await f()
    } catch (e) {
        return (e as SensorError).message
    }
    return "no error"
}

export function bme680Suites() {
    describe("BME680 driver on a fake chip", () => {
        test("reads the example: 25.49 °C, 47.67 %RH, 993.32 hPa, one forced conversion per read", async () => {
            const r = rig(CHIP_ID_BME680)
            await r.driver.init()
            expect(r.driver.describe()).toBe("BME680 (id 0x61): no gas reading")
            for (let i = 1; i <= 2; i++) {
                const q = await r.driver.measure()
                expectValue(q, "temperature", E.temperature)
                expectValue(q, "humidity", E.humidity)
                expectValue(q, "pressure", E.pressure)
                expect(r.chip.conversions).toBe(i)
            }
        })

        test("forced mode, x1 oversampling, filter off, gas heater off", async () => {
            const r = rig(CHIP_ID_BME680)
            await r.driver.init()
            await r.driver.measure()
            expect(r.chip.regs[0x72] & 0x07).toBe(1) // osrs_h x1
            expect(r.chip.regs[0x74] & 0xfc).toBe((1 << 5) | (1 << 2)) // osrs_t, osrs_p x1 (mode back to sleep)
            expect(r.chip.regs[0x75]).toBe(0) // filter off
            expect(r.chip.regs[0x71] & 0x10).toBe(0) // run_gas off
        })

        test("a BME280 (id 0x60) at the address is bad_id, and the message says which chip it is", async () => {
            const r = rig(0x60)
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_BAD_ID)
            expect(await messageOf(async () => await r.driver.init())).toBe(
                "bme680@0x77: chip id 0x60 is not 0x61 (a BME280: configure bme280)",
            )
            const other = rig(0x58)
            expect(await messageOf(async () => await other.driver.init())).toBe("bme680@0x77: chip id 0x58 is not 0x61")
        })

        test("blank calibration data is bad_id", async () => {
            const bus = new FakeI2C()
            const blank = new FakeBME680(0x77, CHIP_ID_BME680, E.cal)
            blank.regs[0xe9] = 0
            blank.regs[0xea] = 0 // par_t1
            bus.attach(blank)
            expect(await codeOf(async () => await new BME680Driver(0x77, { client: bus }).init())).toBe(ERR_BAD_ID)
        })

        test("nothing at the address is not_found", async () => {
            const r = rig(CHIP_ID_BME680)
            expect(await codeOf(async () => await new BME680Driver(0x76, { client: r.bus }).init())).toBe(ERR_NOT_FOUND)
        })

        test("new_data that never comes is a timeout, bounded in time", async () => {
            const r = rig(CHIP_ID_BME680)
            await r.driver.init()
            r.chip.stuck = true
            const t0 = ds.millis()
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_TIMEOUT)
            expect(ds.millis() - t0 < 500).toBe(true)
        })

        test("keeps working after the chip resets itself: the settings are written on every read", async () => {
            const r = rig(CHIP_ID_BME680)
            await r.driver.init()
            r.chip.powerOn()
            const q = await r.driver.measure()
            expectValue(q, "humidity", E.humidity)
        })

        test("an unplugged chip is a nack", async () => {
            const r = rig(CHIP_ID_BME680)
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })

        test("as a sensor: an I2C error after start is failed/nack, not a restart; it is ok again when the chip answers", async () => {
            const r = rig(CHIP_ID_BME680)
            const s = new I2CSensor("bme680", r.driver, {})
            expect(await s.ready(1000)).toBe(true)
            r.chip.present = false
            const out: Record<string, number> = {}
            await s.read(out)
            expect(s.status + "/" + s.error).toBe(SENSOR_FAILED + "/nack")
            expect(out["temperature"]).toBe(undefined)
            r.chip.present = true
            await s.read(out)
            expect(s.status).toBe(SENSOR_OK)
            expect(out["temperature"]).toBe(E.temperature)
            expect(out["pressure"]).toBe(E.pressure)
        })
    })
}
