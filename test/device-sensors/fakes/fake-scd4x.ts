/**
 * SCD4x at the command level (SCD4x datasheet 3.4, Table 9): 16-bit commands,
 * idle and periodic-measurement states, commands refused (NACK) in the wrong
 * state, 500 ms of silence after stop_periodic_measurement (3.5.3), a 1 ms
 * execution time before an answer can be read, a one-entry result buffer
 * emptied by read_measurement (NACK when empty, 3.5.2), and CRC-8 on every word.
 * Results appear when the test pushes them, or every `autoIntervalMs` with
 * `autoResult` set: a short stand-in for the chip's 5 s interval.
 */
import { encodeWords } from "../../../firmware/sensors/sensirion-crc"
import { FakeChip, now } from "./fake-bus"

const STOP_BUSY_MS = 500
const EXEC_MS = 1

export class FakeSCD4x implements FakeChip {
    present = true
    periodic = false
    serial = [0xf896, 0x9f07, 0x3bb3]
    /** The next `corruptMeasurements` results carry a wrong CRC on their last word. */
    corruptMeasurements = 0
    starts = 0
    autoResult: number[] = null
    autoIntervalMs = 50
    private nextAutoAt = 0
    refused = 0
    private result: number[] = null
    private answer: Buffer = null
    private answerAt = 0
    private busyUntil = 0

    constructor(readonly address: number) {}

    /** A new result in the buffer, as the chip produces every 5 s while measuring. */
    pushMeasurement(words: number[]) {
        if (this.periodic) this.result = words
    }

    /** Lost power: idle, buffer empty. */
    powerCycle() {
        this.periodic = false
        this.result = null
        this.answer = null
        this.busyUntil = 0
    }

    private produce() {
        if (this.periodic && this.autoResult && now() >= this.nextAutoAt) {
            this.result = this.autoResult
            this.nextAutoAt = now() + this.autoIntervalMs
        }
    }

    write(data: Buffer): boolean {
        this.produce()
        if (data.length !== 2 || now() < this.busyUntil) return this.refuse()
        const cmd = (data[0] << 8) | data[1]
        this.answer = null
        if (cmd === 0x3f86) {
            this.periodic = false
            this.result = null
            this.busyUntil = now() + STOP_BUSY_MS
        } else if (cmd === 0x21b1) {
            if (this.periodic) return this.refuse()
            this.periodic = true
            this.starts++
            this.nextAutoAt = now() + this.autoIntervalMs
        } else if (cmd === 0xe4b8) {
            // Upper bits may be set; only the low 11 bits say "ready" (3.8.2).
            this.reply([this.result ? 0x8006 : 0x8000])
        } else if (cmd === 0xec05) {
            if (!this.periodic) return this.refuse()
            if (this.result) this.reply(this.result)
            this.result = null
            if (this.answer && this.corruptMeasurements > 0) {
                this.corruptMeasurements--
                this.answer[8] = this.answer[8] ^ 0x01
            }
        } else if (cmd === 0x3682) {
            if (this.periodic) return this.refuse() // not allowed during measurement (Table 9)
            this.reply(this.serial)
        } else return this.refuse()
        return true
    }

    read(n: number): Buffer {
        if (!this.answer || now() < this.answerAt) return null
        const out = this.answer.slice(0, n)
        this.answer = null
        return out
    }

    private reply(words: number[]) {
        this.answer = encodeWords(words)
        this.answerAt = now() + EXEC_MS
    }

    private refuse(): boolean {
        this.refused++
        return false
    }
}
