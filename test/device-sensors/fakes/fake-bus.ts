/**
 * A fake I2C bus for the on-VM driver tests: the drivers get it as their I2C
 * client (I2CDriver options), and every transaction goes to the register-level
 * fake chip at that address. A chip that is absent (or was unplugged) NACKs
 * its address, exactly as the board's bus reports it: an I2CError.
 */
import * as ds from "@devicescript/core"
import { I2C, I2CError } from "@devicescript/i2c"

/** What a fake chip answers to; returning false / null makes the bus NACK. */
export interface FakeChip {
    address: number
    present: boolean
    /** A write (register pointer, command, data); false = NACK. */
    write(data: Buffer): boolean
    /** A read of `n` bytes; null = NACK of the read header. */
    read(n: number): Buffer
}

const NACK_ADDR = 1 // ds.I2CStatus.NAckAddr
const NACK_DATA = 2 // ds.I2CStatus.NAckData

export class FakeI2C extends I2C {
    chips: FakeChip[] = []
    transactions = 0

    attach(chip: FakeChip): FakeChip {
        this.chips.push(chip)
        return chip
    }

    override async xfer(devAddr: number, writeBuf: Buffer, numRead?: number): Promise<Buffer> {
        this.transactions++
        const chip = this.chips.find(c => c.address === devAddr && c.present)
        if (!chip) throw new I2CError("fake I2C: no ACK at " + devAddr, NACK_ADDR)
        if (writeBuf.length > 0 && !chip.write(writeBuf)) throw new I2CError("fake I2C: write NACK", NACK_DATA)
        if (!numRead) return Buffer.alloc(0)
        const r = chip.read(numRead)
        if (!r) throw new I2CError("fake I2C: read NACK", NACK_ADDR)
        return r
    }
}

/** Milliseconds on the VM clock, for chips that enforce their conversion times. */
export function now(): number {
    return ds.millis()
}
