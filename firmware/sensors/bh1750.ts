/**
 * ROHM BH1750FVI ambient light sensor: illuminance at I2C 0x23 (ADDR low) or
 * 0x5C (ADDR high). Datasheet: ROHM "BH1750FVI", 2011.11 Rev.D.
 *
 * One-time H-resolution mode: each read powers the chip on, starts one
 * conversion, waits its maximum time and reads two bytes; the chip powers
 * itself down afterwards. The chip has no id register and no CRC: a NACK is
 * the only fault it can show.
 */
import * as ds from "@devicescript/core"
import { ChipDriver, ChipDriverOptions, Quantities } from "./chip-driver"
import { Q_ILLUMINANCE } from "./sensor-spec"

// "Instruction Set Architecture"
const CMD_POWER_ON = 0x01
const CMD_RESET = 0x07 // clears the data register; only accepted while powered on
const CMD_ONE_TIME_H_RES = 0x20 // 1 lx resolution, then power down

/** "Electrical Characteristics": H-resolution measurement time 120 ms typ, 180 ms max. */
const MEASURE_H_RES_MS = 180
/**
 * "Measurement Accuracy": sensor out / actual lx = 1.2 typ at the default
 * measurement time register (MTreg = 69), so lx = count / 1.2.
 */
const COUNTS_PER_LX = 1.2

export class BH1750Driver extends ChipDriver {
    constructor(address: number, options?: ChipDriverOptions) {
        super("bh1750", address, options)
    }

    protected override async initDriver(): Promise<void> {
        await this.writeBuf(Buffer.from([CMD_POWER_ON]))
        await this.writeBuf(Buffer.from([CMD_RESET]))
    }

    protected override async readData(): Promise<Quantities> {
        await this.writeBuf(Buffer.from([CMD_POWER_ON]))
        await this.writeBuf(Buffer.from([CMD_ONE_TIME_H_RES]))
        await ds.sleep(MEASURE_H_RES_MS)
        const data = await this.readBuf(2)
        const out: Quantities = {}
        out[Q_ILLUMINANCE] = bh1750Lux((data[0] << 8) | data[1])
        return out
    }
}

/** "Measurement sequence example": 0x8390 (33680 counts) -> 33680 / 1.2 ≈ 28067 lx. */
export function bh1750Lux(count: number): number {
    return count / COUNTS_PER_LX
}
