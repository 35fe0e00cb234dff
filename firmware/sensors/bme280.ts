/**
 * Bosch BME280 (temperature, pressure, humidity) and BMP280 (temperature,
 * pressure) at I2C 0x76 (SDO low) or 0x77 (SDO high).
 * Datasheets: BME280 BST-BME280-DS002, BMP280 BST-BMP280-DS001.
 *
 * Forced mode, oversampling x1, filter off: the "weather monitoring" setting of
 * BME280 datasheet 3.5.1 (one conversion per read, the chip sleeps in between).
 * The chip id tells the two apart (0x60 / 0x58), so either name in SENSORS
 * works with either chip; a BMP280 simply has no humidity.
 */
import * as ds from "@devicescript/core"
import {
    ADC_SKIPPED_16,
    ADC_SKIPPED_20,
    Bme280Calibration,
    CALIB_H_LENGTH,
    CALIB_TP_LENGTH,
    calibrationLooksBlank,
    compensate,
    parseCalibration,
    unpackRaw,
} from "./bme280-compensation"
import { ChipDriver, ChipDriverOptions, Quantities } from "./chip-driver"
import { ERR_BAD_ID, ERR_TIMEOUT, hexByte, SensorError } from "./sensor-error"
import { Q_HUMIDITY, Q_PRESSURE, Q_TEMPERATURE } from "./sensor-spec"

// Registers (BME280 datasheet 5.3, memory map)
const REG_CALIB_TP = 0x88 // dig_T1..dig_P9, dig_H1 at 0xA1
const REG_ID = 0xd0
const REG_RESET = 0xe0
const REG_CALIB_H = 0xe1 // dig_H2..dig_H6
const REG_CTRL_HUM = 0xf2
const REG_STATUS = 0xf3
const REG_CTRL_MEAS = 0xf4
const REG_CONFIG = 0xf5
const REG_DATA = 0xf7 // press[3], temp[3], hum[2]

export const CHIP_ID_BME280 = 0x60 // BME280 datasheet 5.4.1
export const CHIP_ID_BMP280 = 0x58 // BMP280 datasheet 4.3.1
const CHIP_ID_BME680 = 0x61 // a common mix-up on breakout boards

const RESET_WORD = 0xb6 // 5.4.2: any other value has no effect
const STATUS_MEASURING = 0x08 // 5.4.4 bit 3: conversion running
const STATUS_IM_UPDATE = 0x01 // 5.4.4 bit 0: NVM being copied to the image registers
const OSRS_X1 = 0x01
const MODE_FORCED = 0x01 // 5.4.5 mode[1:0] = 01: one conversion, then sleep
const CTRL_MEAS_FORCED_X1 = (OSRS_X1 << 5) | (OSRS_X1 << 2) | MODE_FORCED // osrs_t[7:5], osrs_p[4:2]

/** Table 1: start-up time 2 ms (power-on or soft reset until the NVM copy may be done). */
const STARTUP_MS = 2
/** Bound on waiting for im_update to clear after the start-up time. */
const NVM_COPY_TIMEOUT_MS = 20
/**
 * Appendix B, 9.1: t_measure,max = 1.25 + 2.3*osrs_t + (2.3*osrs_p + 0.575) + (2.3*osrs_h + 0.575)
 * = 9.3 ms at x1 (the BMP280 needs 6.4 ms max, datasheet 3.8.1).
 */
const MEASURE_MAX_MS = 10
/** Then poll the measuring bit; a conversion not done 10x past its maximum is a timeout. */
const MEASURE_TIMEOUT_MS = 100
const POLL_MS = 2

export class BME280Driver extends ChipDriver {
    private cal: Bme280Calibration
    hasHumidity = false
    chipId = 0

    constructor(address: number, options?: ChipDriverOptions, chip = "bme280") {
        super(chip, address, options)
    }

    protected override async initDriver(): Promise<void> {
        const id = await this.readReg(REG_ID)
        if (id !== CHIP_ID_BME280 && id !== CHIP_ID_BMP280) {
            const hint = id === CHIP_ID_BME680 ? " (a BME680: configure bme680)" : ""
            throw new SensorError(ERR_BAD_ID, this.where() + ": chip id " + hexByte(id) + " is not 0x60 or 0x58" + hint)
        }
        this.chipId = id
        this.hasHumidity = id === CHIP_ID_BME280
        await this.writeReg(REG_RESET, RESET_WORD)
        await ds.sleep(STARTUP_MS + 1)
        await this.waitStatusClear(STATUS_IM_UPDATE, NVM_COPY_TIMEOUT_MS, "NVM copy after reset")

        const tp = await this.readRegBuf(REG_CALIB_TP, CALIB_TP_LENGTH)
        const h = this.hasHumidity ? await this.readRegBuf(REG_CALIB_H, CALIB_H_LENGTH) : null
        const cal = parseCalibration(tp, h)
        if (calibrationLooksBlank(cal)) {
            throw new SensorError(ERR_BAD_ID, this.where() + ": calibration data reads as zeros")
        }
        this.cal = cal
        await this.writeReg(REG_CONFIG, 0x00) // 5.4.6: filter off (3.5.1 weather monitoring)
    }

    protected override async readData(): Promise<Quantities> {
        // 5.4.3: ctrl_hum only takes effect after the following write to ctrl_meas.
        if (this.hasHumidity) await this.writeReg(REG_CTRL_HUM, OSRS_X1)
        await this.writeReg(REG_CTRL_MEAS, CTRL_MEAS_FORCED_X1)
        await ds.sleep(MEASURE_MAX_MS)
        await this.waitStatusClear(STATUS_MEASURING, MEASURE_TIMEOUT_MS - MEASURE_MAX_MS, "conversion")

        const raw = unpackRaw(await this.readRegBuf(REG_DATA, this.hasHumidity ? 8 : 6), this.hasHumidity)
        // 0x80000 is what a conversion that never ran reads as (e.g. the chip was reset meanwhile).
        const noHumidity = this.hasHumidity && raw.adcH === ADC_SKIPPED_16
        if (raw.adcT === ADC_SKIPPED_20 || raw.adcP === ADC_SKIPPED_20 || noHumidity) {
            throw new SensorError(ERR_TIMEOUT, this.where() + ": no conversion result")
        }
        const r = compensate(this.cal, raw)
        const out: Quantities = {}
        out[Q_TEMPERATURE] = r.temperature
        out[Q_PRESSURE] = r.pressure / 100 // Pa -> hPa
        if (this.hasHumidity) out[Q_HUMIDITY] = r.humidity
        return out
    }

    override describe(): string {
        return this.hasHumidity ? "BME280 (id 0x60)" : "BMP280 (id 0x58): no humidity"
    }

    private async waitStatusClear(mask: number, timeoutMs: number, what: string): Promise<void> {
        const deadline = ds.millis() + timeoutMs
        while ((await this.readReg(REG_STATUS)) & mask) {
            if (ds.millis() >= deadline) {
                throw new SensorError(ERR_TIMEOUT, this.where() + ": " + what + " not done in time")
            }
            await ds.sleep(POLL_MS)
        }
    }
}
