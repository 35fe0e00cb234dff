/**
 * SHTC3 at the command level: 16-bit commands; asleep, it NACKs everything
 * but the wakeup command; a measurement's answer exists only after its
 * conversion time and the read header is NACKed until then; the ID register;
 * words carry Sensirion CRC-8. A chip that powers up is awake (idle).
 */
import { encodeWords } from "../../../firmware/sensors/sensirion-crc"
import { FakeChip, now } from "./fake-bus"

/** Inside the datasheet's 12.1 ms maximum for normal mode. */
const FAKE_MEASURE_MS = 11

export class FakeSHTC3 implements FakeChip {
    present = true
    asleep = false
    tTicks = 0
    rhTicks = 0
    /** A real part's ID: product code bits (11, 5:0) = 0x0807. */
    id = 0x0887
    /** The next `corruptReads` answers carry a wrong CRC on their last word. */
    corruptReads = 0
    measurements = 0
    sleeps = 0
    refusedAsleep = 0
    readsTooEarly = 0
    private answer: Buffer = null
    private readyAt = 0

    constructor(readonly address: number) {}

    write(data: Buffer): boolean {
        if (data.length !== 2) return false
        const cmd = (data[0] << 8) | data[1]
        if (cmd === 0x3517) {
            this.asleep = false
            return true
        }
        if (this.asleep) {
            this.refusedAsleep++
            return false
        }
        this.answer = null
        if (cmd === 0x7866) {
            this.measurements++
            this.answer = encodeWords([this.tTicks, this.rhTicks])
            this.readyAt = now() + FAKE_MEASURE_MS
        } else if (cmd === 0xefc8) {
            this.answer = encodeWords([this.id])
            this.readyAt = now()
        } else if (cmd === 0xb098) {
            this.asleep = true
            this.sleeps++
        } else return false
        return true
    }

    read(n: number): Buffer {
        if (this.asleep || !this.answer) return null
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

    /** Unplugged and plugged back: awake, nothing to read. */
    powerCycle() {
        this.asleep = false
        this.answer = null
    }
}
