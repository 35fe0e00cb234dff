import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { BME280Driver } from "../../firmware/sensors/bme280"
import { ChipDriver, Quantities } from "../../firmware/sensors/chip-driver"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { SCD4xDriver } from "../../firmware/sensors/scd4x"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { SHT4xDriver } from "../../firmware/sensors/sht4x"
import { BMP280_EXAMPLE, SCD4X_EXAMPLE } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeBME280 } from "./fakes/fake-bme280"
import { FakeSCD4x } from "./fakes/fake-scd4x"
import { FakeSHT4x } from "./fakes/fake-sht4x"
import { expectValue } from "./util"

/** A driver with a bug in it: throws something that is not a SensorError. */
class BuggyDriver extends ChipDriver {
    constructor(bus: FakeI2C) {
        super("buggy", 0x44, { client: bus })
    }
    protected override async initDriver(): Promise<void> {}
    protected override async readData(): Promise<Quantities> {
        throw new Error("bug")
    }
}

function shtRig(present: boolean) {
    const bus = new FakeI2C()
    const chip = new FakeSHT4x(0x44)
    chip.present = present
    chip.tTicks = 26214 // 25 °C
    chip.rhTicks = 29360 // 50 %RH
    bus.attach(chip)
    const sensor = new I2CSensor("sht4x", new SHT4xDriver(0x44, { client: bus }), {})
    return { bus, chip, sensor }
}

export function i2cSensorSuites() {
    describe("I2CSensor: a driver as one telemetry sensor", () => {
        test("fills every quantity of the chip, rounded to 0.01, and is ok", async () => {
            const r = shtRig(true)
            expect(await r.sensor.ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await r.sensor.read(out)
            expect(out["temperature"]).toBe(25)
            expect(out["humidity"]).toBe(50)
            expect(r.sensor.status).toBe(SENSOR_OK)
            expect(r.sensor.lastGoodMs > 0).toBe(true)
        })

        test("publishes under the keys it is given, so two chips do not overwrite each other", async () => {
            const bus = new FakeI2C()
            const chip = new FakeSHT4x(0x45)
            chip.tTicks = 26214
            bus.attach(chip)
            const s = new I2CSensor("sht4x", new SHT4xDriver(0x45, { client: bus }), {
                temperature: "temperature_sht4x",
            })
            const out: Record<string, number> = { temperature: 1 }
            await s.read(out)
            expect(out["temperature"]).toBe(1)
            expect(out["temperature_sht4x"]).toBe(25)
        })

        test("a chip missing at boot: ready gives up within its bound, failed/not_found, no values", async () => {
            const r = shtRig(false)
            const t0 = ds.millis()
            expect(await r.sensor.ready(250)).toBe(false)
            expect(ds.millis() - t0 < 1000).toBe(true)
            expect(r.sensor.status).toBe(SENSOR_FAILED)
            expect(r.sensor.error).toBe("not_found")
            const out: Record<string, number> = {}
            await r.sensor.read(out)
            expect(Object.keys(out).length).toBe(0)
            expect(r.sensor.lastGoodMs).toBe(0)
        })

        test("a chip plugged in after boot is found on the next read and goes ok", async () => {
            const r = shtRig(false)
            await r.sensor.ready(0)
            r.chip.present = true
            const out: Record<string, number> = {}
            await r.sensor.read(out)
            expect(r.sensor.status).toBe(SENSOR_OK)
            expect(out["temperature"]).toBe(25)
        })

        test("a wrong chip is bad_id at once: boot does not wait for it", async () => {
            const bus = new FakeI2C()
            bus.attach(new FakeBME280(0x76, 0x61, BMP280_EXAMPLE.cal))
            const s = new I2CSensor("bme280", new BME280Driver(0x76, { client: bus }), {})
            const t0 = ds.millis()
            expect(await s.ready(3000)).toBe(false)
            expect(ds.millis() - t0 < 150).toBe(true)
            expect(s.error).toBe("bad_id")
        })

        test("bad CRC: failed/crc for that read, ok again on the next, without re-initialising", async () => {
            const r = shtRig(true)
            await r.sensor.ready(1000)
            r.chip.corruptReads = 1
            const out: Record<string, number> = {}
            await r.sensor.read(out)
            expect(r.sensor.status).toBe(SENSOR_FAILED)
            expect(r.sensor.error).toBe("crc")
            expect(out["temperature"]).toBe(undefined)
            const transactions = r.bus.transactions
            await r.sensor.read(out)
            expect(r.sensor.status).toBe(SENSOR_OK)
            expect(out["temperature"]).toBe(25)
            expect(r.bus.transactions - transactions).toBe(2) // one command, one read: no init
        })

        test("a chip that disappears is failed/nack; when it comes back it is re-initialised and ok", async () => {
            const bus = new FakeI2C()
            const chip = new FakeBME280(0x76, 0x60, BMP280_EXAMPLE.cal)
            chip.adcT = BMP280_EXAMPLE.adcT
            chip.adcP = BMP280_EXAMPLE.adcP
            bus.attach(chip)
            const s = new I2CSensor("bme280", new BME280Driver(0x76, { client: bus }), {})
            expect(await s.ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await s.read(out)
            const good = s.lastGoodMs
            chip.present = false
            await s.read(out)
            expect(s.status).toBe(SENSOR_FAILED)
            expect(s.error).toBe("nack")
            expect(s.lastGoodMs).toBe(good) // the age of the last good reading keeps growing
            chip.powerOn() // it lost power while away
            chip.present = true
            const again: Record<string, number> = {}
            await s.read(again)
            expect(s.status).toBe(SENSOR_OK)
            expect(s.error).toBe("")
            expectValue(again, "pressure", BMP280_EXAMPLE.pressure)
        })

        test("SCD4x that loses power: nack, then restarted (periodic measurement again) and ok", async () => {
            const bus = new FakeI2C()
            const chip = new FakeSCD4x(0x62)
            chip.autoResult = SCD4X_EXAMPLE.words
            bus.attach(chip)
            const s = new I2CSensor("scd4x", new SCD4xDriver(0x62, { client: bus, dataTimeoutMs: 150 }), {})
            expect(await s.ready(2000)).toBe(true)
            const out: Record<string, number> = {}
            await s.read(out)
            expect(out["co2"]).toBe(500)
            chip.present = false
            chip.powerCycle()
            await s.read(out)
            expect(s.error).toBe("nack")
            chip.present = true
            const again: Record<string, number> = {}
            await s.read(again)
            expect(s.status).toBe(SENSOR_OK)
            expect(chip.starts).toBe(2)
            expect(again["co2"]).toBe(500)
        })

        test("never throws: a bug in a driver is failed/exception", async () => {
            const s = new I2CSensor("buggy", new BuggyDriver(new FakeI2C()), {})
            const out: Record<string, number> = {}
            await s.read(out)
            expect(s.status).toBe(SENSOR_FAILED)
            expect(s.error).toBe("exception")
        })
    })
}
