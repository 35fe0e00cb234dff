import { describe, expect, test } from "@devicescript/test"
import { I2CSensor } from "../../firmware/sensors/i2c-sensor"
import { JacdacSensor } from "../../firmware/sensors/jacdac-sensor"
import { ConfigErrorSensor, sensorsFromConfig } from "../../firmware/sensors/registry"
import { SENSOR_FAILED, SENSOR_OK } from "../../firmware/sensors/sensor"
import { BME680_EXAMPLE, BMP280_EXAMPLE, bme280Calibration } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeBME280 } from "./fakes/fake-bme280"
import { FakeBME680 } from "./fakes/fake-bme680"
import { FakeSHT4x } from "./fakes/fake-sht4x"

function names(list: { name: string }[]): string {
    return list.map(s => s.name).join(",")
}

export function registrySuites() {
    describe("sensorsFromConfig: the SENSORS setting to sensors", () => {
        test("empty means the three Jacdac role sensors, named as before", () => {
            const s = sensorsFromConfig("")
            expect(names(s)).toBe("temperature,humidity,pressure")
            expect(s[0] instanceof JacdacSensor).toBe(true)
        })

        test("one sensor per entry, in order; bad entries become failed bad_config sensors", () => {
            const s = sensorsFromConfig("bme280@0x76, SHT41 ,bh1750@0x5c,scd4x,bme281,sht4x@0x50", new FakeI2C())
            expect(names(s)).toBe("bme280,sht4x,bh1750,scd4x,bme281,sht4x@0x50")
            expect(s[0] instanceof I2CSensor).toBe(true)
            expect(s[3] instanceof I2CSensor).toBe(true)
            expect(s[4] instanceof ConfigErrorSensor).toBe(true)
            expect(s[4].status).toBe(SENSOR_FAILED)
            expect(s[4].error).toBe("bad_config")
        })

        test("a chip listed after jacdac publishes its own keys; the Jacdac sensors keep theirs", () => {
            const s = sensorsFromConfig("jacdac,bh1750")
            expect(names(s)).toBe("temperature,humidity,pressure,bh1750")
            const renamed = sensorsFromConfig("sht4x,jacdac")
            expect(names(renamed)).toBe("sht4x,temperature_jacdac,humidity_jacdac,pressure")
        })

        test("sht30, shtc3, aht20, ltr390 and bme680 get our drivers", async () => {
            const s = sensorsFromConfig("sht30@0x45,shtc3,aht20,ltr390,bme680", new FakeI2C())
            expect(names(s)).toBe("sht30,shtc3,aht20,ltr390,bme680")
            for (let i = 0; i < 5; i++) expect(s[i].name + " " + (s[i] instanceof I2CSensor)).toBe(s[i].name + " true")
            // Nothing on the fake bus: not_found, probed again on the next read (I2CSensor).
            expect(await s[4].ready(100)).toBe(false)
            expect(s[4].error).toBe("not_found")
        })

        test("a bme680 on the bus is read through our driver", async () => {
            const bus = new FakeI2C()
            const chip = new FakeBME680(0x76, 0x61, BME680_EXAMPLE.cal)
            chip.adcT = BME680_EXAMPLE.adcT
            chip.adcP = BME680_EXAMPLE.adcP
            chip.adcH = BME680_EXAMPLE.adcH
            bus.attach(chip)
            const s = sensorsFromConfig("bme680", bus)
            expect(await s[0].ready(1000)).toBe(true)
            const out: Record<string, number> = {}
            await s[0].read(out)
            expect(out["temperature"] + " " + out["humidity"] + " " + out["pressure"]).toBe(
                BME680_EXAMPLE.temperature + " " + BME680_EXAMPLE.humidity + " " + BME680_EXAMPLE.pressure,
            )
        })

        test("without a fake bus, the simulator's native I2C (which has none) makes our chips not_found", async () => {
            const s = sensorsFromConfig("bh1750,scd4x")
            for (const x of s)
                expect(x.name + " " + (await x.ready(0)) + " " + x.error).toBe(x.name + " false not_found")
        })

        test("a chip that does not answer fails alone: the others keep publishing", async () => {
            const bus = new FakeI2C()
            const bme = new FakeBME280(0x76, 0x60, bme280Calibration())
            bme.adcT = BMP280_EXAMPLE.adcT
            bme.adcP = BMP280_EXAMPLE.adcP
            bme.adcH = 30000
            bus.attach(bme)
            const sht = new FakeSHT4x(0x44)
            sht.tTicks = 26214
            sht.rhTicks = 29360
            bus.attach(sht)
            const sensors = sensorsFromConfig("bme280@0x76,sht4x,bh1750,nope", bus)
            const ready: boolean[] = []
            for (const s of sensors) ready.push(await s.ready(100))
            expect(ready.join(",")).toBe("true,true,false,false")
            const out: Record<string, number> = {}
            for (const s of sensors) await s.read(out)
            expect(out["temperature"]).toBe(25.08)
            expect(out["pressure"]).toBe(1006.53)
            expect(out["humidity"]).toBe(56.21)
            expect(out["temperature_sht4x"]).toBe(25)
            expect(out["humidity_sht4x"]).toBe(50)
            expect(sensors[0].status + sensors[1].status).toBe(SENSOR_OK + SENSOR_OK)
            expect(sensors[2].status + "/" + sensors[2].error).toBe("failed/not_found")
            expect(sensors[3].status + "/" + sensors[3].error).toBe("failed/bad_config")
        })
    })
}
