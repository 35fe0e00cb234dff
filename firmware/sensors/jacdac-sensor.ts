/**
 * A sensor read through a Jacdac role client: simulated servers in the host
 * simulator, the servers that DeviceScript drivers start on hardware.
 */
import * as ds from "@devicescript/core"
import { Sensor, SENSOR_FAILED, SENSOR_OK } from "./sensor"

/** A read that has not answered by then marks the sensor failed. */
const READ_TIMEOUT_MS = 1000
const BIND_POLL_MS = 50

export class JacdacSensor implements Sensor {
    status = SENSOR_FAILED
    error = "not_found"
    lastGoodMs = 0

    constructor(
        readonly name: string,
        private readonly role: ds.Sensor,
        private readonly reading: ds.Register<number>
    ) {}

    async ready(timeoutMs: number): Promise<boolean> {
        const deadline = ds.millis() + timeoutMs
        while (!this.role.isBound && ds.millis() < deadline) await ds.sleep(BIND_POLL_MS)
        return this.role.isBound
    }

    async read(out: Record<string, number>): Promise<void> {
        if (!this.role.isBound) return this.fail("not_found")
        const done = ds.emitter<number>()
        let value = NaN
        const reading = this.reading
        const reader = async () => {
            value = await reading.read()
            done.emit(1)
        }
        reader.start()
        await ds.wait(done, READ_TIMEOUT_MS)
        if (isNaN(value) || value === undefined || value === null) return this.fail("timeout")
        out[this.name] = Math.round(value * 100) / 100
        this.status = SENSOR_OK
        this.error = ""
        this.lastGoodMs = ds.millis()
    }

    private fail(code: string) {
        this.status = SENSOR_FAILED
        this.error = code
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
