/**
 * Sensirion SHTC3: temperature and humidity at I2C 0x70 (fixed).
 * Datasheet: Sensirion "Datasheet SHTC3", version 1 (July 2018).
 *
 * The chip sleeps between reads and answers only to the wakeup command while
 * asleep (5, sleep and wakeup), so every transaction starts with a wakeup and
 * every good read ends with sleep. Normal mode, temperature first, clock stretching
 * disabled: while it measures the chip NACKs its read header, so the driver
 * waits the maximum duration first. 16-bit commands, CRC-protected words.
 */
import * as ds from "@devicescript/core"
import { ChipDriverOptions, Quantities } from "./chip-driver"
import { SensirionDriver } from "./sensirion-driver"
import { ERR_BAD_ID, hexWord, SensorError } from "./sensor-error"
import { Q_HUMIDITY, Q_TEMPERATURE } from "./sensor-spec"

export const SHTC3_ADDRESS = 0x70

// 5, Operation and Communication: command codes
const CMD_WAKEUP = 0x3517
const CMD_SLEEP = 0xb098
const CMD_MEASURE_T_FIRST = 0x7866 // normal mode, T first, no clock stretching
const CMD_READ_ID = 0xefc8

/** 5, read-out of the ID register: bits 11 and 5:0 are the SHTC3 product code, xxxx 1xxx xx00 0111. */
const PRODUCT_CODE_MASK = 0x083f
const PRODUCT_CODE = 0x0807

/** 3, Timing Specifications: wakeup (and power-up) 240 µs max; the VM sleeps whole milliseconds. */
const WAKEUP_MS = 1
/** 3, Timing Specifications: normal mode measurement 12.1 ms max. */
const MEASURE_NORMAL_MS = 13

export class SHTC3Driver extends SensirionDriver {
    id = 0

    constructor(address: number, options?: ChipDriverOptions) {
        super("shtc3", address, options)
    }

    protected override async initDriver(): Promise<void> {
        await this.wake()
        await this.command(CMD_READ_ID)
        const id = (await this.words(1, "id"))[0]
        if ((id & PRODUCT_CODE_MASK) !== PRODUCT_CODE) {
            throw new SensorError(
                ERR_BAD_ID,
                this.where() + ": id 0x" + hexWord(id) + " is not an SHTC3 (xxxx 1xxx xx00 0111)",
            )
        }
        this.id = id
        await this.command(CMD_SLEEP)
    }

    protected override async readData(): Promise<Quantities> {
        await this.wake()
        await this.command(CMD_MEASURE_T_FIRST)
        await ds.sleep(MEASURE_NORMAL_MS)
        const words = await this.words(2, "measurement")
        await this.command(CMD_SLEEP)
        const out: Quantities = {}
        out[Q_TEMPERATURE] = shtc3Temperature(words[0])
        out[Q_HUMIDITY] = shtc3Humidity(words[1])
        return out
    }

    override describe(): string {
        return "id 0x" + hexWord(this.id)
    }

    private async wake(): Promise<void> {
        await this.command(CMD_WAKEUP)
        await ds.sleep(WAKEUP_MS)
    }
}

/** 5, conversion of sensor output: T = -45 + 175 * S_T / 2^16 °C (2^16 here, not the SHT3x's 2^16 - 1). */
export function shtc3Temperature(ticks: number): number {
    return -45 + (175 * ticks) / 65536
}

/** 5, conversion of sensor output: RH = 100 * S_RH / 2^16 %RH. */
export function shtc3Humidity(ticks: number): number {
    return (100 * ticks) / 65536
}
