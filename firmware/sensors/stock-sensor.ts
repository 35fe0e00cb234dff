/**
 * The one chip left on @devicescript/drivers, the BME680, seen as one
 * telemetry Sensor. The stock start function probes the chip and starts Jacdac
 * servers on the device; this adapter reads those servers through role
 * clients, like the Jacdac role sensors.
 *
 * Limits of the stock driver (node_modules/@devicescript/drivers/src):
 * - it only takes the board's I2C bus, so it cannot run against a fake chip,
 *   and in the simulator it skips the chip entirely;
 * - an I2C error after start is thrown inside its Jacdac server, which the
 *   DeviceScript runtime treats as an unhandled exception: the program
 *   restarts (PANIC 60005), and the chip is then probed again (not_found
 *   until it answers). This is why SHT30, SHTC3, AHT20 and LTR390 now have
 *   drivers of our own (I2CSensor), which degrade instead.
 * A chip that is missing at boot is handled here: failed/not_found, probed
 * again on every read, started once it answers.
 */
import * as ds from "@devicescript/core"
import { startBME680 } from "@devicescript/drivers"
import { errorMessage } from "../mqtt/errors"
import { JacdacSensor } from "./jacdac-sensor"
import { keyValues, Sensor, SENSOR_FAILED, SENSOR_OK, setHealth } from "./sensor"
import { ERR_NOT_FOUND, hexByte } from "./sensor-error"
import { Q_HUMIDITY, Q_PRESSURE, Q_TEMPERATURE } from "./sensor-spec"

export class StockSensor implements Sensor {
    status = SENSOR_FAILED
    error = ERR_NOT_FOUND
    lastGoodMs = 0
    private parts: JacdacSensor[] = null
    private reported = false
    readonly quantities: string[]

    constructor(
        readonly name: string,
        readonly chip: string,
        readonly address: number,
        private readonly keys: Record<string, string>,
    ) {
        this.quantities = keyValues(keys)
    }

    async ready(timeoutMs: number): Promise<boolean> {
        const deadline = ds.millis() + timeoutMs
        if (!this.parts && !(await this.start())) return false
        for (const p of this.parts) {
            const left = deadline - ds.millis()
            if (!(await p.ready(left > 0 ? left : 0))) {
                setHealth(this, SENSOR_FAILED, p.error)
                return false
            }
        }
        setHealth(this, SENSOR_OK, "")
        return true
    }

    async read(out: Record<string, number>): Promise<void> {
        if (!this.parts && !(await this.start())) return
        for (const p of this.parts) {
            await p.read(out)
            if (p.status !== SENSOR_OK) {
                setHealth(this, SENSOR_FAILED, p.error)
                return
            }
        }
        setHealth(this, SENSOR_OK, "")
        this.lastGoodMs = ds.millis()
    }

    /** Runs the stock start function; a chip that does not answer throws before anything is started. */
    private async start(): Promise<boolean> {
        try {
            this.parts = await this.startStock()
            console.log(
                "sensor " + this.name + ": started the stock " + this.chip + " driver at " + hexByte(this.address),
            )
            return true
        } catch (e) {
            // Probed again on every read: say it once.
            if (!this.reported) {
                console.warn("sensor " + this.name + ": failed, not_found (" + errorMessage(e) + ")")
                this.reported = true
            }
            setHealth(this, SENSOR_FAILED, ERR_NOT_FOUND)
            return false
        }
    }

    private async startStock(): Promise<JacdacSensor[]> {
        const k = this.keys
        if (this.chip === "bme680") {
            const r = await startBME680({ address: this.address as 0x76 | 0x77 })
            return [
                part(k, Q_TEMPERATURE, r.temperature, r.temperature.reading),
                part(k, Q_HUMIDITY, r.humidity, r.humidity.reading),
                part(k, Q_PRESSURE, r.pressure, r.pressure.reading),
            ]
        }
        throw new Error("no stock driver for " + this.chip)
    }
}

function part(
    keys: Record<string, string>,
    quantity: string,
    role: ds.Sensor,
    reading: ds.Register<number>,
): JacdacSensor {
    return new JacdacSensor(keys[quantity] ? keys[quantity] : quantity, role, reading)
}
