/**
 * Simulated Jacdac sensor servers on a device's bus. The firmware reads them
 * through role clients, exactly as it reads the servers that the I2C drivers
 * start on hardware.
 */
import { jd, type JD } from "../jd.ts"
import { MODELS, SmoothSignal } from "./models.ts"

const SERVICE_CLASSES: Record<string, number> = {
    temperature: jd.SRV_TEMPERATURE,
    humidity: jd.SRV_HUMIDITY,
    pressure: jd.SRV_AIR_PRESSURE,
}
const UPDATE_MS = 500

export const SIM_QUANTITIES = Object.keys(SERVICE_CLASSES)

export class SimSensors {
    private timer?: NodeJS.Timeout
    private readonly servers: { signal: SmoothSignal; server: JD.SensorServer<[number]> }[] = []
    private readonly t0 = Date.now()

    constructor(bus: JD.JDBus, quantities: string[], seed: number) {
        quantities.forEach((q, i) => {
            const cls = SERVICE_CLASSES[q]
            if (cls === undefined) throw new Error(`unknown simulated quantity '${q}' (known: ${SIM_QUANTITIES.join(", ")})`)
            const provider = jd.startServiceProviderFromServiceClass(bus, cls)
            const server = provider.service(1) as JD.SensorServer<[number]>
            this.servers.push({ signal: new SmoothSignal(MODELS[q], seed * 31 + i), server })
        })
    }

    start(): void {
        this.update()
        this.timer = setInterval(() => this.update(), UPDATE_MS)
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer)
    }

    private update() {
        const tS = (Date.now() - this.t0) / 1000
        for (const { signal, server } of this.servers) server.reading.setValues([signal.at(tS)])
    }
}
