/**
 * Register-level BME280 / BMP280 (BME280 datasheet 5.3 memory map): chip id,
 * soft reset, calibration NVM, ctrl_hum latched by the next ctrl_meas write
 * (5.4.3), forced mode with a conversion time and the measuring bit (5.4.4),
 * skipped channels reading 0x80000 / 0x8000, pointer auto-increment on reads.
 */
import { Bme280Calibration } from "../../../firmware/sensors/bme280-compensation"
import { encodeBme280Calibration } from "../../vectors/sensor-vectors"
import { FakeChip, now } from "./fake-bus"

export class FakeBME280 implements FakeChip {
    present = true
    regs = Buffer.alloc(256)
    pointer = 0
    /** Conversion time of the fake; the datasheet maximum at x1 is 9.3 ms. */
    conversionMs = 5
    /** A chip whose conversion never ends. */
    stuck = false
    adcT = 0
    adcP = 0
    adcH = 0
    ctrlMeasWrites = 0
    private convertingUntil = 0
    private latchedOsrsH = 0

    constructor(
        readonly address: number,
        readonly chipId: number,
        cal: Bme280Calibration,
    ) {
        const img = encodeBme280Calibration(cal)
        for (let i = 0; i < img.tp.length; i++) this.regs[0x88 + i] = img.tp[i]
        if (chipId !== 0x58) for (let i = 0; i < img.h.length; i++) this.regs[0xe1 + i] = img.h[i]
        this.powerOn()
    }

    /** Power-on / soft-reset state: id, sleep mode, no results yet. */
    powerOn() {
        this.regs[0xd0] = this.chipId
        this.regs[0xf2] = 0
        this.regs[0xf4] = 0
        this.regs[0xf5] = 0
        this.latchedOsrsH = 0
        this.convertingUntil = 0
        this.writeResults(0x80000, 0x80000, 0x8000)
    }

    write(data: Buffer): boolean {
        this.pointer = data[0]
        // Writes are register/value pairs (5.2.1); a lone byte only sets the read pointer.
        for (let i = 0; i + 1 < data.length; i += 2) this.writeReg(data[i], data[i + 1])
        return true
    }

    private writeReg(reg: number, v: number) {
        if (reg === 0xe0) {
            if (v === 0xb6) this.powerOn()
        } else if (reg === 0xf2) {
            if (this.chipId !== 0x58) this.regs[0xf2] = v & 0x07
        } else if (reg === 0xf4) {
            this.regs[0xf4] = v
            this.ctrlMeasWrites++
            this.latchedOsrsH = this.regs[0xf2] & 0x07
            if ((v & 0x03) === 0x01 || (v & 0x03) === 0x02) this.startConversion()
        } else if (reg === 0xf5) this.regs[0xf5] = v
        // The rest is read-only.
    }

    private startConversion() {
        this.convertingUntil = now() + this.conversionMs
    }

    private settle() {
        if (this.convertingUntil === 0 || this.stuck || now() < this.convertingUntil) return
        this.convertingUntil = 0
        const m = this.regs[0xf4]
        const t = (m >> 5) & 0x07 ? this.adcT : 0x80000
        const p = (m >> 2) & 0x07 ? this.adcP : 0x80000
        const h = this.chipId !== 0x58 && this.latchedOsrsH ? this.adcH : 0x8000
        this.writeResults(p, t, h)
        this.regs[0xf4] = m & 0xfc // forced mode returns to sleep (3.3.3)
    }

    private writeResults(p: number, t: number, h: number) {
        this.regs[0xf7] = (p >> 12) & 0xff
        this.regs[0xf8] = (p >> 4) & 0xff
        this.regs[0xf9] = (p & 0x0f) << 4
        this.regs[0xfa] = (t >> 12) & 0xff
        this.regs[0xfb] = (t >> 4) & 0xff
        this.regs[0xfc] = (t & 0x0f) << 4
        this.regs[0xfd] = (h >> 8) & 0xff
        this.regs[0xfe] = h & 0xff
    }

    read(n: number): Buffer {
        this.settle()
        const measuring = this.convertingUntil !== 0
        this.regs[0xf3] = measuring ? 0x08 : 0x00
        const out = Buffer.alloc(n)
        for (let i = 0; i < n; i++) out[i] = this.regs[(this.pointer + i) & 0xff]
        this.pointer = (this.pointer + n) & 0xff
        return out
    }
}
