/**
 * Sensirion SHT3x-DIS (SHT30, SHT31, SHT35): temperature and humidity at I2C
 * 0x44 (ADDR low) or 0x45 (ADDR high).
 * Datasheet: Sensirion "Datasheet SHT3x-DIS", version 5 (May 2018).
 *
 * Single shot, high repeatability, clock stretching disabled (4.3, Table 9):
 * while it measures the chip NACKs its read header (4.4), so the driver waits
 * the maximum duration before reading; a NACK after that is a real fault.
 * 16-bit commands, answers as CRC-protected words. The chip has no id
 * register: the status register's reserved bits tell a chip that is not an
 * SHT3x.
 */
import * as ds from "@devicescript/core"
import { ChipDriverOptions, Quantities } from "./chip-driver"
import { SensirionDriver } from "./sensirion-driver"
import { ERR_BAD_ID, hexWord, SensorError } from "./sensor-error"
import { Q_HUMIDITY, Q_TEMPERATURE } from "./sensor-spec"

const CMD_MEASURE_HIGH = 0x2400 // 4.3 Table 9: high repeatability, no clock stretching
const CMD_SOFT_RESET = 0x30a2 // 4.9
const CMD_READ_STATUS = 0xf32d // 4.11 Table 17

/** 4.11 Table 18: bits 14, 12, 3 and 2 are reserved and read '0' (bits 9:5 are 'x'). */
const STATUS_RESERVED_ZERO = 0x500c

/** 2.2 Table 4: soft reset 1.5 ms max. */
const SOFT_RESET_MS = 2
/** 4.3 Table 9: at least 1 ms between a command and the read that follows it. */
const COMMAND_MS = 1
/** 2.2 Table 4: high repeatability 15 ms max; Sensirion's own driver waits the same. */
const MEASURE_HIGH_MS = 16

export class SHT3xDriver extends SensirionDriver {
    status = 0

    constructor(address: number, options?: ChipDriverOptions) {
        super("sht30", address, options)
    }

    protected override async initDriver(): Promise<void> {
        await this.command(CMD_SOFT_RESET)
        await ds.sleep(SOFT_RESET_MS)
        await this.command(CMD_READ_STATUS)
        await ds.sleep(COMMAND_MS)
        const status = (await this.words(1, "status"))[0]
        if (status & STATUS_RESERVED_ZERO) {
            throw new SensorError(
                ERR_BAD_ID,
                this.where() + ": status 0x" + hexWord(status) + " has reserved bits set: not an SHT3x",
            )
        }
        this.status = status
    }

    protected override async readData(): Promise<Quantities> {
        await this.command(CMD_MEASURE_HIGH)
        await ds.sleep(MEASURE_HIGH_MS)
        const words = await this.words(2, "measurement")
        const out: Quantities = {}
        out[Q_TEMPERATURE] = sht3xTemperature(words[0])
        out[Q_HUMIDITY] = sht3xHumidity(words[1])
        return out
    }

    override describe(): string {
        return "status 0x" + hexWord(this.status)
    }
}

/** 4.13: T = -45 + 175 * S_T / (2^16 - 1) °C. */
export function sht3xTemperature(ticks: number): number {
    return -45 + (175 * ticks) / 65535
}

/** 4.13: RH = 100 * S_RH / (2^16 - 1) %RH (0..100 by construction). */
export function sht3xHumidity(ticks: number): number {
    return (100 * ticks) / 65535
}
