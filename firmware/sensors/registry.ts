/**
 * Builds the telemetry sensors from the SENSORS setting (see sensor-spec.ts):
 *
 *   const sensors = sensorsFromConfig(await readSetting("SENSORS", ""))
 *
 * `jacdac` (the default) gives the three Jacdac role sensors; every chip gets
 * an I2CSensor over our driver for it. A bad entry is logged and becomes a sensor that is always
 * failed with error "bad_config", so the payload says why it is missing; every
 * other sensor works as usual.
 */
import { I2C } from "@devicescript/i2c"
import { AHT20Driver } from "./aht20"
import { BH1750Driver } from "./bh1750"
import { BME280Driver } from "./bme280"
import { BME680Driver } from "./bme680"
import { ChipDriver, ChipDriverOptions } from "./chip-driver"
import { I2CSensor } from "./i2c-sensor"
import { builtinSensors, jacdacLightSensor } from "./jacdac-sensor"
import { LTR390Driver } from "./ltr390"
import { SCD4xDriver } from "./scd4x"
import { Sensor, SENSOR_FAILED } from "./sensor"
import { hexByte } from "./sensor-error"
import { CHIP_JACDAC, CHIP_JACDAC_LIGHT, parseSensorSpec, planSensors } from "./sensor-spec"
import { SHT3xDriver } from "./sht3x"
import { SHT4xDriver } from "./sht4x"
import { SHTC3Driver } from "./shtc3"

/** The settings key (DeviceScript keys are at most 13 characters). */
export const SENSORS_SETTING = "SENSORS"
export const ERR_BAD_CONFIG = "bad_config"

/** What our drivers need from an I2C bus: @devicescript/i2c's I2C, or a fake with the same methods. */
export type I2CLike = I2C

/** An entry of SENSORS that could not be understood: always failed, never read. */
export class ConfigErrorSensor implements Sensor {
    status = SENSOR_FAILED
    error = ERR_BAD_CONFIG
    lastGoodMs = 0
    readonly quantities: string[] = []

    constructor(readonly name: string) {}

    async ready(timeoutMs: number): Promise<boolean> {
        return false
    }

    async read(out: Record<string, number>): Promise<void> {}
}

/** Our driver for a chip, or null if the chip is not one of ours. */
export function driverFor(chip: string, address: number, i2c?: I2CLike): ChipDriver {
    const o: ChipDriverOptions = { client: i2c }
    if (chip === "bme280" || chip === "bmp280") return new BME280Driver(address, o, chip)
    if (chip === "sht4x") return new SHT4xDriver(address, o)
    if (chip === "bh1750") return new BH1750Driver(address, o)
    if (chip === "scd4x") return new SCD4xDriver(address, o)
    if (chip === "sht30") return new SHT3xDriver(address, o)
    if (chip === "shtc3") return new SHTC3Driver(address, o)
    if (chip === "aht20") return new AHT20Driver(address, o)
    if (chip === "ltr390") return new LTR390Driver(address, o)
    if (chip === "bme680") return new BME680Driver(address, o)
    return null
}

/**
 * The sensors the SENSORS setting asks for, in its order. `i2c` is the bus for
 * our drivers (default: the board's; tests pass a fake). Never throws; nothing is probed yet (that is
 * each sensor's ready()).
 */
export function sensorsFromConfig(spec: string, i2c?: I2CLike): Sensor[] {
    const parsed = parseSensorSpec(spec)
    for (const e of parsed.errors) console.warn("sensors: SENSORS: " + e)
    const sensors: Sensor[] = []
    const names: string[] = []
    for (const p of planSensors(parsed.chips)) {
        names.push(p.address ? p.chip + "@" + hexByte(p.address) : p.chip)
        if (p.chip === CHIP_JACDAC) {
            for (const s of builtinSensors(p.keys)) sensors.push(s)
            continue
        }
        if (p.chip === CHIP_JACDAC_LIGHT) {
            sensors.push(jacdacLightSensor(p.keys))
            continue
        }
        const driver = driverFor(p.chip, p.address, i2c)
        // Every chip of CHIPS (sensor-spec.ts, the one chip list) has a driver; a row without one is a bug, not a crash.
        if (driver) sensors.push(new I2CSensor(p.name, driver, p.keys))
        else sensors.push(new ConfigErrorSensor(p.name))
    }
    for (const r of parsed.rejected) sensors.push(new ConfigErrorSensor(r))
    console.log("sensors: " + (names.length ? names.join(", ") : "none"))
    return sensors
}
