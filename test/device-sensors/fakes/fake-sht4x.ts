/**
 * SHT4x at the command level: one-byte commands; the answer to a measurement
 * exists only after its conversion time, and until then the chip NACKs its
 * read header (as the real one does); words carry Sensirion CRC-8.
 */
import { encodeWords } from "../../../firmware/sensors/sensirion-crc"
import { FakeChip, now } from "./fake-bus"

/** Shorter than the datasheet's 8.3 ms maximum, longer than its 6.9 ms typical minus slack. */
const FAKE_MEASURE_MS = 6

export class FakeSHT4x implements FakeChip {
    present = true
    tTicks = 0
    rhTicks = 0
    serial = [0x1234, 0x5678]
    /** The next `corruptReads` answers carry a wrong CRC on their second word. */
    corruptReads = 0
    measurements = 0
    readsTooEarly = 0
    private answer: Buffer = null
    private readyAt = 0

    constructor(readonly address: number) {}

    write(data: Buffer): boolean {
        if (data.length !== 1) return false
        const cmd = data[0]
        if (cmd === 0xfd || cmd === 0xf6 || cmd === 0xe0) {
            this.measurements++
            this.answer = encodeWords([this.tTicks, this.rhTicks])
            this.readyAt = now() + FAKE_MEASURE_MS
        } else if (cmd === 0x89) {
            this.answer = encodeWords(this.serial)
            this.readyAt = now()
        } else if (cmd === 0x94) {
            this.answer = null
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
        if (this.corruptReads > 0 && out.length >= 6) {
            this.corruptReads--
            out[5] = out[5] ^ 0x01
        }
        return out
    }
}
