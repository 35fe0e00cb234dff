/**
 * One of our I2C chip drivers seen as one telemetry Sensor. This is the one
 * place that recovers: a driver's SensorError becomes status `failed` with its
 * code, logged once per change; the next good read makes the sensor `ok`
 * again. A chip that stopped answering may have lost power, so it is
 * configured again (init) before the next read; a CRC error is a corrupted
 * transfer and does not need that. Never throws.
 */
import * as ds from "@devicescript/core"
import { ChipDriver, toSensorError } from "./chip-driver"
import { keyValues, Sensor, SENSOR_FAILED, SENSOR_OK, setHealth } from "./sensor"
import { ERR_CRC, ERR_NOT_FOUND, SensorError } from "./sensor-error"

/**
 * Boot waits at most this long for a chip that does not answer yet: the
 * slowest supported chip (SCD4x) needs 1000 ms after power-up (SCD4x
 * datasheet 3.1); a chip still silent after that is not there.
 */
export const POWER_UP_WAIT_MS = 1200
const PROBE_RETRY_MS = 200

export class I2CSensor implements Sensor {
    status = SENSOR_FAILED
    error = ERR_NOT_FOUND
    lastGoodMs = 0
    /** The last error's message, for diagnostics. */
    message = ""
    private configured = false
    readonly quantities: string[]

    constructor(
        readonly name: string,
        readonly driver: ChipDriver,
        /** Quantity -> telemetry key; a quantity not listed is published under its own name. */
        private readonly keys: Record<string, string>,
    ) {
        this.quantities = keyValues(keys)
    }

    async ready(timeoutMs: number): Promise<boolean> {
        const wait = timeoutMs < POWER_UP_WAIT_MS ? timeoutMs : POWER_UP_WAIT_MS
        const deadline = ds.millis() + wait
        for (;;) {
            if (await this.configure()) {
                setHealth(this, SENSOR_OK, "")
                return true
            }
            // Only silence is worth waiting for; a wrong chip stays wrong.
            if (this.error !== ERR_NOT_FOUND || ds.millis() + PROBE_RETRY_MS > deadline) return false
            await ds.sleep(PROBE_RETRY_MS)
        }
    }

    async read(out: Record<string, number>): Promise<void> {
        try {
            if (!this.configured && !(await this.configure())) return
            const q = await this.driver.measure()
            for (const k of Object.keys(q)) {
                const key = this.keys[k] ? this.keys[k] : k
                out[key] = Math.round(q[k] * 100) / 100
            }
            if (setHealth(this, SENSOR_OK, "") && this.lastGoodMs > 0) console.log("sensor " + this.name + ": ok again")
            this.lastGoodMs = ds.millis()
        } catch (e) {
            const err = toSensorError(e, this.driver.where())
            if (err.code !== ERR_CRC) this.configured = false
            this.fail(err)
        }
    }

    /** Probe, identify and configure the chip; false (and failed) if it does not work. */
    private async configure(): Promise<boolean> {
        try {
            await this.driver.init()
            this.configured = true
            const detail = this.driver.describe()
            console.log("sensor " + this.name + ": found at " + this.driver.where() + (detail ? ", " + detail : ""))
            return true
        } catch (e) {
            this.fail(toSensorError(e, this.driver.where()))
            return false
        }
    }

    private fail(err: SensorError) {
        // One line per change, not one per period.
        if (setHealth(this, SENSOR_FAILED, err.code) || !this.message) {
            console.warn("sensor " + this.name + ": failed, " + err.code + " (" + err.message + ")")
        }
        this.message = err.message
    }
}
