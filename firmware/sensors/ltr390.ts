/**
 * LITE-ON LTR-390UV-01: ambient light (illuminance) at I2C 0x53 (fixed).
 * Datasheet: LITE-ON "LTR-390UV-01", DS86-2015-0004 (register set, lux formula).
 *
 * ALS mode at the chip's default gain 3 and 18-bit resolution (100 ms): 0.2 lx
 * per count, up to 52 428 lx (direct sunlight saturates it). Each read
 * enables the chip, waits one conversion, polls the data status bit and puts
 * the chip back in standby. No CRC: a NACK, a wrong part id or a conversion
 * that never finishes are the faults it can show.
 */
import * as ds from "@devicescript/core"
import { ChipDriver, ChipDriverOptions, Quantities } from "./chip-driver"
import { ERR_BAD_ID, ERR_TIMEOUT, hexByte, SensorError } from "./sensor-error"
import { Q_ILLUMINANCE } from "./sensor-spec"

export const LTR390_ADDRESS = 0x53

// Register set
const REG_MAIN_CTRL = 0x00
const REG_MEAS_RATE = 0x04 // ALS_UVS_MEAS_RATE
const REG_GAIN = 0x05 // ALS_UVS_GAIN
const REG_PART_ID = 0x06
const REG_MAIN_STATUS = 0x07
const REG_ALS_DATA = 0x0d // ALS_DATA_0..2, least significant byte first, 20 bits

const PART_NUMBER = 0x0b // PART_ID bits 7:4 (bits 3:0 are the revision; 0xB2 on the parts described)
const MAIN_CTRL_STANDBY = 0x00
const MAIN_CTRL_ALS_ENABLE = 0x02 // bit 1 ALS/UVS enable, bit 3 UVS_Mode = 0: ALS
const STATUS_DATA_NEW = 0x08 // MAIN_STATUS bit 3: ALS/UVS data status, 1 = new data

/** ALS_UVS_MEAS_RATE: resolution bits 6:4 = 010 (18 bit, 100 ms), rate bits 2:0 = 010 (100 ms); the reset value. */
const MEAS_RATE_18BIT_100MS = 0x22
/** ALS_UVS_GAIN bits 2:0 = 001: gain 3; the reset value. */
const GAIN_CODE_3 = 0x01
export const LTR390_GAIN = 3
/** Lux formula: integration time / 100 ms, so 1 at 18 bit (100 ms). */
export const LTR390_INT_FACTOR = 1
/** Lux formula: window factor, 1 without a cover glass or with a clear one. */
const WFAC = 1

/** ALS_UVS_MEAS_RATE: an 18-bit conversion takes 100 ms. */
const CONVERSION_MS = 100
/** A conversion not done three times over is a timeout. */
const CONVERSION_TIMEOUT_MS = 3 * CONVERSION_MS
const POLL_MS = 10

export class LTR390Driver extends ChipDriver {
    partId = 0

    constructor(address: number, options?: ChipDriverOptions) {
        super("ltr390", address, options)
    }

    protected override async initDriver(): Promise<void> {
        const id = await this.readReg(REG_PART_ID)
        if (id >> 4 !== PART_NUMBER) {
            throw new SensorError(ERR_BAD_ID, this.where() + ": part id " + hexByte(id) + " is not 0xBx")
        }
        this.partId = id
        await this.writeReg(REG_MAIN_CTRL, MAIN_CTRL_STANDBY)
        await this.writeReg(REG_MEAS_RATE, MEAS_RATE_18BIT_100MS)
        await this.writeReg(REG_GAIN, GAIN_CODE_3)
    }

    protected override async readData(): Promise<Quantities> {
        await this.writeReg(REG_MAIN_CTRL, MAIN_CTRL_ALS_ENABLE)
        await ds.sleep(CONVERSION_MS)
        const deadline = ds.millis() + CONVERSION_TIMEOUT_MS - CONVERSION_MS
        while (!((await this.readReg(REG_MAIN_STATUS)) & STATUS_DATA_NEW)) {
            if (ds.millis() >= deadline) {
                throw new SensorError(
                    ERR_TIMEOUT,
                    this.where() + ": no ALS result " + CONVERSION_TIMEOUT_MS + " ms after enable",
                )
            }
            await ds.sleep(POLL_MS)
        }
        const d = await this.readRegBuf(REG_ALS_DATA, 3)
        await this.writeReg(REG_MAIN_CTRL, MAIN_CTRL_STANDBY)
        const out: Quantities = {}
        out[Q_ILLUMINANCE] = ltr390Lux(d[0] | (d[1] << 8) | ((d[2] & 0x0f) << 16), LTR390_GAIN, LTR390_INT_FACTOR)
        return out
    }

    override describe(): string {
        return "part id " + hexByte(this.partId)
    }
}

/** The datasheet's lux formula: lux = 0.6 * ALS_DATA / (gain * int) * W_FAC. */
export function ltr390Lux(als: number, gain: number, intFactor: number): number {
    return ((0.6 * als) / (gain * intFactor)) * WFAC
}
