/**
 * Parent side of a device host process (device-host.ts): one process, many simulated devices, each a
 * PooledDevice with the same handle as a device in a process of its own (sim-device.ts). A power cut
 * of one pooled device stops its VM and closes its connection, as the kernel does for a killed
 * process; the other devices of the process run on.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createRequire } from "node:module"
import { createInterface } from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import { awaitReply } from "./child-reply.ts"
import type { SensorMode } from "../sensors/sim-sensors.ts"
import type { DeviceHandle } from "./device-handle.ts"
import type { HostReply, HostRequest, HostStats } from "./device-host.ts"
import type { DeviceControl, DeviceProcessConfig } from "./hosted-device.ts"

const ENTRY = fileURLToPath(new URL("./device-host.ts", import.meta.url))
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
// Generous: the first request also waits for the process to start (tsx, a loaded machine).
const STATS_TIMEOUT_MS = 60_000

export class DevicePool {
    private child?: ChildProcess
    private exited?: Promise<void>
    private ready = false
    private queued: HostRequest[] = []
    private readonly devices: PooledDevice[] = []
    private readonly stopWaiters = new Map<number, () => void>()
    private statsWaiters: ((s: HostStats) => void)[] = []
    private closed = false

    constructor(
        /** A PEM file of extra trusted CAs for the VMs' TLS sockets (NODE_EXTRA_CA_CERTS, per process). */
        private readonly extraCaFile = "",
    ) {}

    /** A device of this process; it boots on its start(). */
    add(config: DeviceProcessConfig, onLog: (line: string) => void): PooledDevice {
        const d = new PooledDevice(this, this.devices.length, config, onLog)
        this.devices.push(d)
        return d
    }

    get size(): number {
        return this.devices.length
    }

    /** Process-wide cost since the last call with `reset` (device-host.ts HostStats); starts the process if need be. */
    stats(reset = false): Promise<HostStats> {
        if (this.closed) return Promise.reject(new Error("the device pool is closed"))
        return awaitReply(
            this.statsWaiters,
            () => this.send({ op: "stats", reset }),
            STATS_TIMEOUT_MS,
            "the device host process did not report its stats",
        )
    }

    /** Ends the process and every device in it. */
    async close(): Promise<void> {
        this.closed = true
        if (this.alive) this.child!.kill("SIGTERM")
        await this.exited
    }

    get alive(): boolean {
        return !!this.child && this.child.exitCode === null && this.child.signalCode === null
    }

    /** @internal PooledDevice's way in. */
    send(m: HostRequest): void {
        if (this.closed) return
        if (!this.alive) this.spawn()
        if (this.ready) this.child!.send(m)
        else this.queued.push(m)
    }

    /** @internal Resolves when the host confirms the stop (or the process is gone). */
    stopSlot(slot: number): Promise<void> {
        if (!this.alive) return Promise.resolve()
        return new Promise(resolve => {
            this.stopWaiters.set(slot, resolve)
            this.send({ op: "stop", slot })
        })
    }

    private spawn() {
        this.ready = false
        const child = spawn(process.execPath, ["--import", TSX, ENTRY], {
            stdio: ["ignore", "pipe", "pipe", "ipc"],
            env: { ...process.env, ...(this.extraCaFile ? { NODE_EXTRA_CA_CERTS: this.extraCaFile } : {}) },
        })
        this.child = child
        this.exited = new Promise(resolve =>
            child.once("exit", (code, signal) => {
                // A crash takes every device of the process with it: say so in each one's log.
                for (const d of this.devices)
                    if (d.running) d.onExit(`error: device host process exited (${signal ?? `code ${code}`})`)
                for (const w of this.stopWaiters.values()) w()
                this.stopWaiters.clear()
                resolve()
            }),
        )
        child.on("message", (m: HostReply) => this.reply(m))
        createInterface({ input: child.stdout! }).on("line", l => {
            const sp = l.indexOf(" ")
            const d = this.devices[Number(l.slice(0, sp))]
            if (d) d.log(l.slice(sp + 1))
        })
        // Anything on stderr is the process's, not one device's: every device hears it.
        createInterface({ input: child.stderr! }).on("line", l => {
            for (const d of this.devices) if (d.running) d.log(l)
        })
    }

    private reply(m: HostReply) {
        if ("ready" in m) {
            this.ready = true
            for (const q of this.queued) this.child!.send(q)
            this.queued = []
            return
        }
        if (m.op === "stats") {
            for (const w of this.statsWaiters) w(m.stats)
            this.statsWaiters = []
        } else if (m.op === "stopped") {
            this.stopWaiters.get(m.slot)?.()
            this.stopWaiters.delete(m.slot)
        }
    }
}

export class PooledDevice implements DeviceHandle {
    private on = false

    constructor(
        private readonly pool: DevicePool,
        private readonly slot: number,
        readonly config: DeviceProcessConfig,
        private readonly onLog: (line: string) => void,
    ) {}

    get running(): boolean {
        return this.on && this.pool.alive
    }

    start(): void {
        this.on = true
        this.pool.send({ op: "start", slot: this.slot, config: this.config })
    }

    async stop(): Promise<void> {
        if (!this.on) return
        this.on = false
        await this.pool.stopSlot(this.slot)
    }

    /** In one process with others, a power cut ends this VM and closes its connection (see the file comment). */
    kill(): Promise<void> {
        return this.stop()
    }

    setSensorMode(sensor: string, mode: SensorMode): void {
        this.control({ sensor, mode })
    }

    setWifi(up: boolean): void {
        this.control({ wifi: up ? "up" : "down" })
    }

    restart(kind: "reboot" | "powercut", offMs = 0): void {
        this.control({ restart: kind, offMs })
    }

    /** @internal */
    log(line: string): void {
        this.onLog(line)
    }

    /** @internal The process is gone. */
    onExit(line: string): void {
        this.on = false
        this.onLog(line)
    }

    private control(control: DeviceControl) {
        if (this.on) this.pool.send({ op: "control", slot: this.slot, control })
    }
}
