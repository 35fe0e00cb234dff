/**
 * Sensirion SHT4x (SHT40, SHT41, SHT45): temperature and humidity at I2C
 * 0x44 (…-AD1B), 0x45 (SHT40-BD1B) or 0x46 (SHT40-CD1B).
 * Datasheet: Sensirion "Datasheet SHT4x", version 6 (February 2023).
 *
 * One-byte commands, answers as CRC-protected 16-bit words. While a
 * measurement runs the chip NACKs its read header, so the driver waits the
 * maximum duration before reading; a NACK after that is a real fault.
 */
import * as ds from "@devicescript/core"
import { ChipDriverOptions, Quantities } from "./chip-driver"
import { SensirionDriver } from "./sensirion-driver"
import { hexWord } from "./sensor-error"
import { Q_HUMIDITY, Q_TEMPERATURE } from "./sensor-spec"

const CMD_MEASURE_HIGH_PRECISION = 0xfd // high repeatability, no heater
const CMD_READ_SERIAL = 0x89
const CMD_SOFT_RESET = 0x94

/** "Timings": soft reset 1 ms max (and power-up 1 ms max). */
const SOFT_RESET_MS = 1
/** "Timings": high repeatability measurement 8.3 ms max; the datasheet's Quick Start waits 10 ms. */
const MEASURE_HIGH_MS = 10
/** No duration is given for 0x89; Sensirion's reference driver waits 10 ms. */
const READ_SERIAL_MS = 10

export class SHT4xDriver extends SensirionDriver {
    serial = ""

    constructor(address: number, options?: ChipDriverOptions) {
        super("sht4x", address, options)
    }

    protected override async initDriver(): Promise<void> {
        await this.writeBuf(Buffer.from([CMD_SOFT_RESET]))
        await ds.sleep(SOFT_RESET_MS + 1)
        await this.writeBuf(Buffer.from([CMD_READ_SERIAL]))
        await ds.sleep(READ_SERIAL_MS)
        const words = await this.words(2, "serial number")
        this.serial = hexWord(words[0]) + hexWord(words[1])
    }

    protected override async readData(): Promise<Quantities> {
        await this.writeBuf(Buffer.from([CMD_MEASURE_HIGH_PRECISION]))
        await ds.sleep(MEASURE_HIGH_MS)
        const words = await this.words(2, "measurement")
        const out: Quantities = {}
        out[Q_TEMPERATURE] = sht4xTemperature(words[0])
        out[Q_HUMIDITY] = sht4xHumidity(words[1])
        return out
    }

    override describe(): string {
        return "serial 0x" + this.serial
    }
}

/** Quick Start / "Conversion of Signal Output": T = -45 + 175 * S_T / (2^16 - 1) °C. */
export function sht4xTemperature(ticks: number): number {
    return -45 + (175 * ticks) / 65535
}

/**
 * RH = -6 + 125 * S_RH / (2^16 - 1) %RH, cropped to 0..100: the formula runs
 * past the physical range on purpose and the datasheet says to crop it.
 */
export function sht4xHumidity(ticks: number): number {
    const rh = -6 + (125 * ticks) / 65535
    return rh > 100 ? 100 : rh < 0 ? 0 : rh
}
