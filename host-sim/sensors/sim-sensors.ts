/**
 * Simulated Jacdac sensor servers on a device's bus. The firmware reads them
 * through role clients, exactly as it reads the servers that the I2C drivers
 * start on hardware. Each sensor can be switched to a fault mode at run time:
 *
 * - `fail`:  the sensor's device leaves the bus (a chip that stops answering);
 * - `stuck`: the value freezes;
 * - `ok`:    back to normal (a failed sensor rejoins the bus).
 */
import { jd, type JD } from "../device/jd.ts"
import { MODELS, SmoothSignal } from "./models.ts"

const SERVICE_CLASSES: Record<string, number> = {
    temperature: jd.SRV_TEMPERATURE,
    humidity: jd.SRV_HUMIDITY,
    pressure: jd.SRV_AIR_PRESSURE,
    illuminance: jd.SRV_ILLUMINANCE,
    // eCO2 is served for jacdac-ts clients; the DeviceScript 2.16.4 compiler has no eCO2 client to read it.
    co2: jd.SRV_E_CO2,
}
const UPDATE_MS = 500

export const SIM_QUANTITIES = ["temperature", "humidity", "pressure"]
/** What the default simulation serves to the firmware (SENSORS=jacdac,jacdac_light). */
export const ALL_SIM_QUANTITIES = ["temperature", "humidity", "pressure", "illuminance"]
export type SensorMode = "ok" | "fail" | "stuck"
export const SENSOR_MODES: SensorMode[] = ["ok", "fail", "stuck"]

interface SimSensor {
    name: string
    signal: SmoothSignal
    provider: JD.JDServiceProvider
    server: JD.SensorServer<[number]>
    mode: SensorMode
}

export class SimSensors {
    private timer?: NodeJS.Timeout
    private readonly sensors: SimSensor[] = []
    private readonly t0 = Date.now()

    constructor(
        private readonly bus: JD.JDBus,
        quantities: string[],
        seed: number,
    ) {
        quantities.forEach((q, i) => {
            const cls = SERVICE_CLASSES[q]
            if (cls === undefined)
                throw new Error(`unknown simulated quantity '${q}' (known: ${ALL_SIM_QUANTITIES.join(", ")})`)
            const provider = jd.startServiceProviderFromServiceClass(bus, cls)
            const server = provider.service(1) as JD.SensorServer<[number]>
            // jacdac-ts adds random "reading error" to every read; our models carry their own noise,
            // and a stuck sensor must really repeat its value.
            server.reading.skipErrorInjection = true
            this.sensors.push({
                name: q,
                signal: new SmoothSignal(MODELS[q], seed * 31 + i),
                provider,
                server,
                mode: "ok",
            })
        })
    }

    start(): void {
        this.update()
        this.timer = setInterval(() => this.update(), UPDATE_MS)
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer)
    }

    setMode(name: string, mode: SensorMode): void {
        const s = this.sensors.find(x => x.name === name)
        if (!s) throw new Error(`no simulated sensor '${name}'`)
        if (s.mode === "fail" && mode !== "fail") this.bus.addServiceProvider(s.provider)
        if (s.mode !== "fail" && mode === "fail") this.bus.removeServiceProvider(s.provider)
        s.mode = mode
    }

    private update() {
        const tS = (Date.now() - this.t0) / 1000
        for (const s of this.sensors) {
            const v = s.signal.at(tS)
            if (s.mode === "ok") s.server.reading.setValues([v])
        }
    }
}
