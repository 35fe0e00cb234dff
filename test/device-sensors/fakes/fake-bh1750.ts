/**
 * BH1750FVI at the instruction level ("Instruction Set Architecture"): power
 * state, reset, one-time and continuous H-resolution modes. A read returns the
 * data register, which only changes when a conversion finishes, so a driver
 * that reads too early gets the previous value, as on the real chip.
 */
import { FakeChip, now } from "./fake-bus"

/** Inside the datasheet's 120 ms typ / 180 ms max. */
const FAKE_H_RES_MS = 120

export class FakeBH1750 implements FakeChip {
    present = true
    poweredOn = false
    /** The next conversion's result (counts). */
    counts = 0
    conversions = 0
    private data = 0
    private doneAt = 0
    private pending = false
    private oneTime = false

    constructor(readonly address: number) {}

    write(buf: Buffer): boolean {
        if (buf.length !== 1) return false
        const op = buf[0]
        if (op === 0x00) this.poweredOn = false
        else if (op === 0x01) this.poweredOn = true
        else if (op === 0x07) {
            if (this.poweredOn) this.data = 0 // not accepted in power down
        } else if (op === 0x10 || op === 0x20) {
            // Strict: the datasheet's sequence is Power On, then the measurement instruction.
            if (!this.poweredOn) return true
            this.oneTime = op === 0x20
            this.pending = true
            this.doneAt = now() + FAKE_H_RES_MS
        } else return false
        return true
    }

    read(n: number): Buffer {
        if (this.pending && now() >= this.doneAt) {
            this.pending = false
            this.data = this.counts
            this.conversions++
            if (this.oneTime) this.poweredOn = false // one-time modes power down after the conversion
        }
        const out = Buffer.alloc(n)
        out[0] = (this.data >> 8) & 0xff
        if (n > 1) out[1] = this.data & 0xff
        return out
    }

    /** Unplugged and plugged back: registers lost. */
    powerCycle() {
        this.poweredOn = false
        this.pending = false
        this.data = 0
    }
}
