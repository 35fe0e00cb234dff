/**
 * AHT20 at the command level (datasheet 5.3-5.4): the status byte (busy bit 7,
 * calibration bit 3) after the 0x71 command or as the first byte of any read;
 * the initialisation command 0xBE 0x08 0x00 that sets the calibration bit; the
 * trigger 0xAC 0x33 0x00, busy for the conversion time; an answer of status,
 * 20-bit humidity, 20-bit temperature and a CRC-8 over those six bytes.
 */
import { encodeAht20Frame } from "../../vectors/sensor-vectors"
import { FakeChip, now } from "./fake-bus"

/** Inside the datasheet's "wait 80 ms". */
const FAKE_MEASURE_MS = 75

export class FakeAHT20 implements FakeChip {
    present = true
    calibrated = true
    /** A chip whose calibration bit never sets (not a working AHT20). */
    refusesInit = false
    /** Measurements that never end (the busy bit stays set). */
    stuck = false
    rhRaw = 0
    tRaw = 0
    /** The next `corruptReads` measurement answers carry a wrong CRC. */
    corruptReads = 0
    inits = 0
    measurements = 0
    private busyUntil = 0
    private measured = false

    constructor(readonly address: number) {}

    write(data: Buffer): boolean {
        const cmd = data[0]
        if (cmd === 0x71 && data.length === 1) return true
        if (now() < this.busyUntil) return false // commands are refused while it measures
        if (cmd === 0xbe && data.length === 3 && data[1] === 0x08 && data[2] === 0x00) {
            this.inits++
            if (!this.refusesInit) this.calibrated = true
        } else if (cmd === 0xac && data.length === 3 && data[1] === 0x33 && data[2] === 0x00) {
            this.measurements++
            this.measured = true
            this.busyUntil = now() + FAKE_MEASURE_MS
        } else return false
        return true
    }

    read(n: number): Buffer {
        const status = (this.busy() ? 0x80 : 0x00) | (this.calibrated ? 0x08 : 0x00) | 0x10
        const frame = encodeAht20Frame(status, this.measured ? this.rhRaw : 0, this.measured ? this.tRaw : 0)
        if (n >= 7 && !this.busy() && this.corruptReads > 0) {
            this.corruptReads--
            frame[6] = frame[6] ^ 0x01
        }
        return frame.slice(0, n)
    }

    /** Unplugged and plugged back: no measurement in its registers. */
    powerCycle() {
        this.measured = false
        this.busyUntil = 0
    }

    private busy(): boolean {
        return this.stuck || now() < this.busyUntil
    }
}
