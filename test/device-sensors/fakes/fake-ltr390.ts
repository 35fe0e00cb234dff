/**
 * LTR-390UV-01 at the register level (datasheet register set): MAIN_CTRL
 * (enable, ALS/UVS mode), ALS_UVS_MEAS_RATE, ALS_UVS_GAIN, PART_ID, MAIN_STATUS
 * (power-on bit and data status bit, both cleared when MAIN_STATUS is read),
 * ALS_DATA least significant byte first; the read pointer auto-increments.
 * While enabled in ALS mode, a conversion completes every conversion time of
 * the configured resolution; `als` is the count it produces.
 */
import { FakeChip, now } from "./fake-bus"

/** ALS_UVS_MEAS_RATE resolution bits 6:4 -> conversion time (ms): 20, 19, 18, 17, 16, 13 bit. */
const CONVERSION_MS = [400, 200, 100, 50, 25, 13, 100, 100]

export class FakeLTR390 implements FakeChip {
    present = true
    regs = Buffer.alloc(32)
    pointer = 0
    /** The count the next conversion produces. */
    als = 0
    /** A chip that never finishes a conversion. */
    stuck = false
    conversions = 0
    /** PART_ID: part number 0xB, revision 2. */
    partId = 0xb2
    private nextAt = 0

    constructor(readonly address: number) {
        this.powerOn()
    }

    /** Reset values: standby, 18 bit / 100 ms, gain 3, power-on status set. */
    powerOn() {
        for (let i = 0; i < this.regs.length; i++) this.regs[i] = 0
        this.regs[0x04] = 0x22
        this.regs[0x05] = 0x01
        this.regs[0x07] = 0x20
        this.nextAt = 0
    }

    enabled(): boolean {
        return (this.regs[0x00] & 0x02) !== 0 && (this.regs[0x00] & 0x08) === 0
    }

    write(data: Buffer): boolean {
        this.pointer = data[0]
        if (data.length < 2) return true
        const reg = data[0]
        const v = data[1]
        if (reg === 0x00) {
            const wasEnabled = this.enabled()
            this.regs[0x00] = v & 0x0a
            if (this.enabled() && !wasEnabled) this.nextAt = now() + this.conversionMs()
        } else if (reg === 0x04) this.regs[0x04] = v & 0x77
        else if (reg === 0x05) this.regs[0x05] = v & 0x07
        else return false // the rest is read-only (or not modelled)
        return true
    }

    read(n: number): Buffer {
        this.settle()
        const out = Buffer.alloc(n)
        for (let i = 0; i < n; i++) {
            const reg = (this.pointer + i) & 0x1f
            out[i] = reg === 0x06 ? this.partId : this.regs[reg]
            if (reg === 0x07) this.regs[0x07] = this.regs[0x07] & 0xd7 // power-on (bit 5) and data status (bit 3) clear on read
        }
        this.pointer = (this.pointer + n) & 0x1f
        return out
    }

    conversionMs(): number {
        return CONVERSION_MS[(this.regs[0x04] >> 4) & 0x07]
    }

    private settle() {
        if (!this.enabled() || this.stuck || now() < this.nextAt) return
        const v = this.als
        this.regs[0x0d] = v & 0xff
        this.regs[0x0e] = (v >> 8) & 0xff
        this.regs[0x0f] = (v >> 16) & 0x0f
        this.regs[0x07] = this.regs[0x07] | 0x08
        this.conversions++
        this.nextAt = now() + this.conversionMs()
    }
}
