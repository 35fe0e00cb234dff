/**
 * Parent-side handle of a simulated device in a process of its own (device-main.ts). Many devices
 * in one process: device-pool.ts.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createInterface } from "node:readline"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { SensorMode } from "../sensors/sim-sensors.ts"
import type { DeviceHandle } from "./device-handle.ts"
import type { DeviceProcessConfig } from "./hosted-device.ts"

const ENTRY = fileURLToPath(new URL("./device-main.ts", import.meta.url))
// The child runs TypeScript through tsx's loader, resolved from this package.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

export class SimDevice implements DeviceHandle {
    private child?: ChildProcess
    private exited?: Promise<number | null>
    private ready = false
    private pending: object[] = []

    constructor(
        readonly config: DeviceProcessConfig,
        private readonly onLog: (line: string) => void,
        /** A PEM file of extra trusted CAs for the VM's TLS sockets (NODE_EXTRA_CA_CERTS). */
        private readonly extraCaFile = "",
        /** Where the device process saves its socket writes on exit (benchmark wire tap). */
        private readonly tapFile = "",
    ) {}

    /** Starts the device process; after stop() or kill(), a fresh boot of the same device. */
    start(): void {
        this.ready = false
        const child = spawn(process.execPath, ["--import", TSX, ENTRY], {
            stdio: ["ignore", "pipe", "pipe", "ipc"],
            env: {
                ...process.env,
                ...(this.extraCaFile ? { NODE_EXTRA_CA_CERTS: this.extraCaFile } : {}),
                ...(this.tapFile ? { DEVS_TAP_FILE: this.tapFile } : {}),
            },
        })
        this.child = child
        this.exited = new Promise(resolve => child.once("exit", code => resolve(code)))
        child.on("message", (m: { ready?: boolean }) => {
            if (!m?.ready) return
            this.ready = true
            // The configuration (MQTT_PASS with it) goes by IPC, never argv or env: others can read argv.
            child.send({ config: this.config })
            for (const p of this.pending) child.send(p)
            this.pending = []
        })
        createInterface({ input: child.stdout! }).on("line", l => this.onLog(l))
        createInterface({ input: child.stderr! }).on("line", l => this.onLog(l))
    }

    get running(): boolean {
        return !!this.child && this.child.exitCode === null && this.child.signalCode === null
    }

    /** Switches a simulated sensor to a fault mode (see SimSensors). */
    setSensorMode(sensor: string, mode: SensorMode): void {
        if (this.ready) this.child?.send({ sensor, mode })
        else this.pending.push({ sensor, mode })
    }

    /** Takes the device's Wi-Fi access point away (false) or brings it back (true). */
    setWifi(up: boolean): void {
        const m = { wifi: up ? "up" : "down" }
        if (this.ready) this.child?.send(m)
        else this.pending.push(m)
    }

    /** Restarts the device's VM from its flash: a planned reboot, or a power cut of `offMs` (VmDevice.restart). */
    restart(kind: "reboot" | "powercut", offMs = 0): void {
        const m = { restart: kind, offMs }
        if (this.ready) this.child?.send(m)
        else this.pending.push(m)
    }

    /** Power cut: the VM dies without a DISCONNECT, so the broker publishes the Will. */
    async kill(): Promise<void> {
        if (!this.child) return
        if (this.running) this.child.kill("SIGKILL")
        await this.exited
    }

    /** Ends the device process and waits for it. */
    async stop(): Promise<void> {
        if (!this.child) return
        if (this.running) this.child.kill("SIGTERM")
        await this.exited
    }
}
