/**
 * Register-level BME680 (BME68x API register map): chip id 0x61, soft reset,
 * calibration NVM at 0x8A..0xA0 and 0xE1..0xEA, ctrl_hum latched by the next
 * ctrl_meas write, forced mode with a conversion time, meas_status_0 with
 * new_data (0x80) and measuring (0x20), field 0 at 0x1F, skipped channels
 * reading 0x80000 / 0x8000, pointer auto-increment on reads. The gas registers
 * are kept so a test can check the heater stays off.
 */
import { Bme680Calibration } from "../../../firmware/sensors/bme680-compensation"
import { encodeBme680Calibration } from "../../vectors/sensor-vectors"
import { FakeChip, now } from "./fake-bus"

export class FakeBME680 implements FakeChip {
    present = true
    regs = Buffer.alloc(256)
    pointer = 0
    /** Conversion time of the fake; the API's estimate at x1 without the heater is 11.2 ms. */
    conversionMs = 8
    /** A chip whose conversion never ends. */
    stuck = false
    adcT = 0
    adcP = 0
    adcH = 0
    conversions = 0
    private convertingUntil = 0
    private latchedOsrsH = 0

    constructor(
        readonly address: number,
        readonly chipId: number,
        cal: Bme680Calibration,
    ) {
        const img = encodeBme680Calibration(cal)
        for (let i = 0; i < img.a.length; i++) this.regs[0x8a + i] = img.a[i]
        for (let i = 0; i < img.b.length; i++) this.regs[0xe1 + i] = img.b[i]
        this.powerOn()
    }

    /** Power-on / soft-reset state: id, sleep mode, filter and gas off, no new data. */
    powerOn() {
        this.regs[0xd0] = this.chipId
        for (const r of [0x70, 0x71, 0x72, 0x74, 0x75]) this.regs[r] = 0
        this.regs[0x1d] = 0
        this.latchedOsrsH = 0
        this.convertingUntil = 0
        this.writeResults(0x80000, 0x80000, 0x8000)
    }

    write(data: Buffer): boolean {
        this.pointer = data[0]
        // Writes are register/value pairs; a lone byte only sets the read pointer.
        for (let i = 0; i + 1 < data.length; i += 2) this.writeReg(data[i], data[i + 1])
        return true
    }

    private writeReg(reg: number, v: number) {
        if (reg === 0xe0) {
            if (v === 0xb6) this.powerOn()
        } else if (reg === 0x74) {
            this.regs[0x74] = v
            this.latchedOsrsH = this.regs[0x72] & 0x07
            if ((v & 0x03) === 0x01) this.startConversion()
        } else if (reg >= 0x70 && reg <= 0x75) this.regs[reg] = v
        // The rest is read-only.
    }

    private startConversion() {
        this.conversions++
        this.convertingUntil = now() + this.conversionMs
        this.regs[0x1d] = 0x20 // measuring; new_data cleared
    }

    private settle() {
        if (this.convertingUntil === 0 || this.stuck || now() < this.convertingUntil) return
        this.convertingUntil = 0
        const m = this.regs[0x74]
        const t = (m >> 5) & 0x07 ? this.adcT : 0x80000
        const p = (m >> 2) & 0x07 ? this.adcP : 0x80000
        const h = this.latchedOsrsH ? this.adcH : 0x8000
        this.writeResults(p, t, h)
        this.regs[0x1d] = 0x80 // new_data_0
        this.regs[0x74] = m & 0xfc // forced mode returns to sleep
    }

    private writeResults(p: number, t: number, h: number) {
        this.regs[0x1f] = (p >> 12) & 0xff
        this.regs[0x20] = (p >> 4) & 0xff
        this.regs[0x21] = (p & 0x0f) << 4
        this.regs[0x22] = (t >> 12) & 0xff
        this.regs[0x23] = (t >> 4) & 0xff
        this.regs[0x24] = (t & 0x0f) << 4
        this.regs[0x25] = (h >> 8) & 0xff
        this.regs[0x26] = h & 0xff
    }

    read(n: number): Buffer {
        this.settle()
        const out = Buffer.alloc(n)
        for (let i = 0; i < n; i++) out[i] = this.regs[(this.pointer + i) & 0xff]
        this.pointer = (this.pointer + n) & 0xff
        return out
    }
}
