/**
 * SHT3x-DIS at the command level (datasheet 4.3-4.11): 16-bit commands; a
 * single-shot measurement whose answer exists only after its conversion time,
 * the read header NACKed until then (4.4); soft reset; the status register,
 * readable 1 ms after its command (Table 9's "SCL free" time). Commands the
 * driver must not use (clock stretching, periodic mode) are NACKed. Words
 * carry Sensirion CRC-8.
 */
import { encodeWords } from "../../../firmware/sensors/sensirion-crc"
import { FakeChip, now } from "./fake-bus"

/** Inside the datasheet's 15 ms maximum for high repeatability (12.5 ms typical). */
const FAKE_MEASURE_MS = 13
const COMMAND_MS = 1

export class FakeSHT3x implements FakeChip {
    present = true
    tTicks = 0
    rhTicks = 0
    /** After power-up or reset: alert pending and "system reset detected" (4.11 Table 18). */
    status = 0x8010
    /** The next `corruptReads` answers carry a wrong CRC on their last word. */
    corruptReads = 0
    measurements = 0
    resets = 0
    readsTooEarly = 0
    private answer: Buffer = null
    private readyAt = 0

    constructor(readonly address: number) {}

    write(data: Buffer): boolean {
        if (data.length !== 2) return false
        const cmd = (data[0] << 8) | data[1]
        this.answer = null
        if (cmd === 0x2400) {
            this.measurements++
            this.answer = encodeWords([this.tTicks, this.rhTicks])
            this.readyAt = now() + FAKE_MEASURE_MS
        } else if (cmd === 0xf32d) {
            this.answer = encodeWords([this.status])
            this.readyAt = now() + COMMAND_MS
        } else if (cmd === 0x30a2) {
            this.resets++
        } else return false
        return true
    }

    read(n: number): Buffer {
        if (!this.answer) return null
        if (now() < this.readyAt) {
            this.readsTooEarly++
            return null
        }
        const out = this.answer.slice(0, n)
        this.answer = null
        if (this.corruptReads > 0) {
            this.corruptReads--
            out[out.length - 1] = out[out.length - 1] ^ 0x01
        }
        return out
    }
}
