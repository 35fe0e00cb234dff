/**
 * ASAIR (Aosong) AHT20: temperature and humidity at I2C 0x38 (fixed).
 * Datasheet: ASAIR "Data Sheet AHT20 Humidity and Temperature Sensor",
 * V1.0.03; section 5.4, "Sensor reading process", gives the steps followed below.
 *
 * No id register: a chip whose calibration bit stays clear after the
 * initialisation command is not (or no longer) a working AHT20. A read
 * triggers one measurement, waits its time, then polls the busy bit; the
 * answer is status, 20-bit humidity, 20-bit temperature and a CRC-8 over
 * those six bytes.
 */
import * as ds from "@devicescript/core"
import { ChipDriver, ChipDriverOptions, Quantities } from "./chip-driver"
import { crc8 } from "./sensirion-crc"
import { ERR_BAD_ID, ERR_CRC, ERR_TIMEOUT, hexByte, SensorError } from "./sensor-error"
import { Q_HUMIDITY, Q_TEMPERATURE } from "./sensor-spec"

export const AHT20_ADDRESS = 0x38

const CMD_STATUS = [0x71] // 5.4 step 1: "get a byte of status word by sending 0x71"
const CMD_INIT = [0xbe, 0x08, 0x00] // 5.4 step 1: initialisation, when the calibration bit is 0
const CMD_TRIGGER = [0xac, 0x33, 0x00] // 5.4 step 2: trigger a measurement

// 5.3, status bits
const STATUS_BUSY = 0x80 // bit 7: measuring
const STATUS_CALIBRATED = 0x08 // bit 3: "CAL Enable"

/** 5.4 step 1: wait 10 ms after the initialisation command. */
const INIT_MS = 10
/** 5.4 step 3: "wait 80 ms for the measurement to be completed", then poll the busy bit. */
const MEASURE_MS = 80
/** A measurement still busy this long after the trigger is a timeout. */
const MEASURE_TIMEOUT_MS = 200
const POLL_MS = 10
/** 5.4 step 4: status, humidity and temperature (6 bytes), then their CRC. */
const FRAME_LENGTH = 7

export class AHT20Driver extends ChipDriver {
    status = 0

    constructor(address: number, options?: ChipDriverOptions) {
        super("aht20", address, options)
    }

    protected override async initDriver(): Promise<void> {
        if (await this.calibrated()) return
        await this.writeBuf(Buffer.from(CMD_INIT))
        await ds.sleep(INIT_MS)
        if (!(await this.calibrated())) {
            throw new SensorError(
                ERR_BAD_ID,
                this.where() + ": calibration bit still 0 after initialisation: not a working AHT20",
            )
        }
    }

    protected override async readData(): Promise<Quantities> {
        await this.writeBuf(Buffer.from(CMD_TRIGGER))
        await ds.sleep(MEASURE_MS)
        const deadline = ds.millis() + MEASURE_TIMEOUT_MS - MEASURE_MS
        let frame = await this.readBuf(FRAME_LENGTH)
        while (frame[0] & STATUS_BUSY) {
            if (ds.millis() >= deadline) {
                throw new SensorError(
                    ERR_TIMEOUT,
                    this.where() + ": still busy " + MEASURE_TIMEOUT_MS + " ms after the trigger",
                )
            }
            await ds.sleep(POLL_MS)
            frame = await this.readBuf(FRAME_LENGTH)
        }
        if (crc8(frame, 0, 6) !== frame[6]) throw new SensorError(ERR_CRC, this.where() + " measurement: CRC mismatch")
        const out: Quantities = {}
        out[Q_HUMIDITY] = aht20Humidity((frame[1] << 12) | (frame[2] << 4) | (frame[3] >> 4))
        out[Q_TEMPERATURE] = aht20Temperature(((frame[3] & 0x0f) << 16) | (frame[4] << 8) | frame[5])
        return out
    }

    override describe(): string {
        return "status " + hexByte(this.status)
    }

    private async calibrated(): Promise<boolean> {
        await this.writeBuf(Buffer.from(CMD_STATUS))
        this.status = (await this.readBuf(1))[0]
        return (this.status & STATUS_CALIBRATED) !== 0
    }
}

/** 6.1: RH = S_RH / 2^20 * 100 %RH. */
export function aht20Humidity(raw: number): number {
    return (raw * 100) / 1048576
}

/** 6.2: T = S_T / 2^20 * 200 - 50 °C. */
export function aht20Temperature(raw: number): number {
    return (raw * 200) / 1048576 - 50
}
