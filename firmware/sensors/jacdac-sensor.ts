/**
 * A sensor read through a Jacdac role client: simulated servers in the host
 * simulator, the servers that DeviceScript drivers start on hardware.
 */
import * as ds from "@devicescript/core"
import { readRegister } from "./read-register"
import { Sensor, SENSOR_FAILED, SENSOR_OK, SENSOR_WARNING, setHealth } from "./sensor"

/** A read that has not answered by then marks the sensor failed. */
const READ_TIMEOUT_MS = 1000
const BIND_POLL_MS = 50
/**
 * This many identical consecutive readings mark the sensor `warning`/"stuck":
 * real sensors have noise in their last digit; a frozen value means a hung
 * chip or bus. The value is still published, with the warning beside it.
 */
const STUCK_READS = 10
/** ... and for at least this long, so a fast period on a slow-changing quantity is not "stuck". */
const STUCK_MIN_MS = 10000

export class JacdacSensor implements Sensor {
    status = SENSOR_FAILED
    error = "not_found"
    lastGoodMs = 0
    readonly quantities: string[]
    private last = NaN
    private same = 0
    private sameSinceMs = 0

    constructor(
        readonly name: string,
        private readonly role: ds.Sensor,
        private readonly reading: ds.Register<number>,
    ) {
        this.quantities = [name]
    }

    async ready(timeoutMs: number): Promise<boolean> {
        const deadline = ds.millis() + timeoutMs
        while (!this.role.isBound && ds.millis() < deadline) await ds.sleep(BIND_POLL_MS)
        return this.role.isBound
    }

    async read(out: Record<string, number>): Promise<void> {
        if (!this.role.isBound) {
            setHealth(this, SENSOR_FAILED, "not_found")
            return
        }
        const value = await readRegister(this.role, this.reading, READ_TIMEOUT_MS)
        if (isNaN(value)) {
            setHealth(this, SENSOR_FAILED, this.role.isBound ? "timeout" : "not_found")
            return
        }
        out[this.name] = Math.round(value * 100) / 100
        if (value !== this.last) this.sameSinceMs = ds.millis()
        this.same = value === this.last ? this.same + 1 : 0
        this.last = value
        if (this.same + 1 >= STUCK_READS && ds.millis() - this.sameSinceMs >= STUCK_MIN_MS) {
            setHealth(this, SENSOR_WARNING, "stuck")
            return
        }
        setHealth(this, SENSOR_OK, "")
        this.lastGoodMs = ds.millis()
    }
}

/**
 * The three Jacdac role sensors (the `jacdac` entry of SENSORS, and its
 * default). `keys` renames a quantity when another sensor already publishes it.
 */
export function builtinSensors(keys?: Record<string, string>): Sensor[] {
    const k = keys ? keys : {}
    const t = new ds.Temperature()
    const h = new ds.Humidity()
    const p = new ds.AirPressure()
    return [
        new JacdacSensor(k["temperature"] ? k["temperature"] : "temperature", t, t.reading),
        new JacdacSensor(k["humidity"] ? k["humidity"] : "humidity", h, h.reading),
        new JacdacSensor(k["pressure"] ? k["pressure"] : "pressure", p, p.reading),
    ]
}

/**
 * A Jacdac light (lx) role sensor. (There is no CO2 counterpart: the
 * DeviceScript 2.16.4 compiler has no eCO2 client, so CO2 comes from the
 * SCD4x driver only.)
 */
export function jacdacLightSensor(keys?: Record<string, string>): Sensor {
    const l = new ds.Illuminance()
    return new JacdacSensor(keys && keys["illuminance"] ? keys["illuminance"] : "illuminance", l, l.reading)
}
