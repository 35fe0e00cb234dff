import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { BME280Driver, CHIP_ID_BME280, CHIP_ID_BMP280 } from "../../firmware/sensors/bme280"
import { ERR_BAD_ID, ERR_NACK, ERR_NOT_FOUND, ERR_TIMEOUT } from "../../firmware/sensors/sensor-error"
import { BME280_HUMIDITY_VECTORS, BMP280_EXAMPLE, bme280Calibration } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeBME280 } from "./fakes/fake-bme280"
import { codeOf, expectValue } from "./util"

function rig(chipId: number) {
    const bus = new FakeI2C()
    const cal = chipId === CHIP_ID_BMP280 ? BMP280_EXAMPLE.cal : bme280Calibration()
    const chip = new FakeBME280(0x76, chipId, cal)
    bus.attach(chip)
    chip.adcT = BMP280_EXAMPLE.adcT
    chip.adcP = BMP280_EXAMPLE.adcP
    const driver = new BME280Driver(0x76, { client: bus }, chipId === CHIP_ID_BMP280 ? "bmp280" : "bme280")
    return { bus, chip, driver }
}

export function bme280Suites() {
    describe("BME280/BMP280 driver on a fake chip", () => {
        test("reproduces the BMP280 datasheet example: 25.08 °C, 1006.53 hPa, no humidity", async () => {
            const r = rig(CHIP_ID_BMP280)
            await r.driver.init()
            expect(r.driver.hasHumidity).toBe(false)
            const q = await r.driver.measure()
            expectValue(q, "temperature", BMP280_EXAMPLE.temperature)
            expectValue(q, "pressure", BMP280_EXAMPLE.pressure)
            expect(q["humidity"]).toBe(undefined)
        })

        test("BME280 (id 0x60): humidity vectors, cropped to 0..100 %RH", async () => {
            const r = rig(CHIP_ID_BME280)
            await r.driver.init()
            expect(r.driver.hasHumidity).toBe(true)
            for (const v of BME280_HUMIDITY_VECTORS) {
                r.chip.adcH = v.adcH
                const q = await r.driver.measure()
                expectValue(q, "humidity", v.humidity)
                expectValue(q, "temperature", BMP280_EXAMPLE.temperature)
                expectValue(q, "pressure", BMP280_EXAMPLE.pressure)
            }
        })

        test("either name works with either chip: bme280 configured, BMP280 found", async () => {
            const bus = new FakeI2C()
            bus.attach(new FakeBME280(0x77, CHIP_ID_BMP280, BMP280_EXAMPLE.cal))
            const d = new BME280Driver(0x77, { client: bus })
            await d.init()
            expect(d.describe()).toBe("BMP280 (id 0x58): no humidity")
        })

        test("a chip id other than 0x60/0x58 is bad_id (a BME680 says so)", async () => {
            const r = rig(0x61)
            expect(await codeOf(async () => await r.driver.init())).toBe(ERR_BAD_ID)
        })

        test("blank calibration data is bad_id", async () => {
            const bus = new FakeI2C()
            const blank = bme280Calibration()
            blank.T1 = 0
            bus.attach(new FakeBME280(0x76, CHIP_ID_BME280, blank))
            expect(await codeOf(async () => await new BME280Driver(0x76, { client: bus }).init())).toBe(ERR_BAD_ID)
        })

        test("nothing at the address is not_found", async () => {
            const r = rig(CHIP_ID_BME280)
            expect(await codeOf(async () => await new BME280Driver(0x77, { client: r.bus }).init())).toBe(ERR_NOT_FOUND)
        })

        test("a conversion that never ends is a timeout, bounded in time", async () => {
            const r = rig(CHIP_ID_BME280)
            await r.driver.init()
            r.chip.stuck = true
            const t0 = ds.millis()
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_TIMEOUT)
            expect(ds.millis() - t0 < 500).toBe(true)
        })

        test("keeps working after the chip resets itself: the settings are written on every read", async () => {
            const r = rig(CHIP_ID_BME280)
            await r.driver.init()
            r.chip.powerOn()
            const q = await r.driver.measure()
            expectValue(q, "temperature", BMP280_EXAMPLE.temperature)
            expectValue(q, "humidity", 0) // adcH 0 at this temperature: cropped
        })

        test("a result that reads 0x80000 (no conversion ran) is a timeout, not a bogus value", async () => {
            const r = rig(CHIP_ID_BME280)
            await r.driver.init()
            r.chip.adcT = 0x80000
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_TIMEOUT)
        })

        test("an unplugged chip is a nack", async () => {
            const r = rig(CHIP_ID_BME280)
            await r.driver.init()
            r.chip.present = false
            expect(await codeOf(async () => await r.driver.measure())).toBe(ERR_NACK)
        })
    })
}
