/**
 * Child-process entry for many simulated devices in one process. Each device is its own VM instance
 * (its own WASM memory, runtime timers, socket, flash, settings and board profile) on its own Jacdac
 * bus with its own sensors: nothing is shared but the process and its event loop. A process per
 * device (device-main.ts) costs a Node runtime per device (~100 MiB); here a device costs its VM.
 *
 * The parent (device-pool.ts) drives it by IPC message (HostRequest) and gets HostReply back; every
 * VM log line goes to stdout as "<slot> <line>". The process exits when its parent goes away.
 */
import { readFileSync } from "node:fs"
import { HostedDevice, type DeviceControl, type DeviceProcessConfig } from "./hosted-device.ts"
import { VmMeter, type VmCost } from "../vm/vm-meter.ts"

export type HostRequest =
    | { op: "start"; slot: number; config: DeviceProcessConfig }
    | { op: "stop"; slot: number }
    | { op: "control"; slot: number; control: DeviceControl }
    /** The process's cost since the last stats request with `reset` (or since it started). */
    | { op: "stats"; reset?: boolean }

export interface HostStats extends VmCost {
    devices: number
    rssBytes: number
    heapUsedBytes: number
    /** CPU time of the whole process (all VMs, their buses and sensors, sockets) over `wallMs`. */
    cpuMs: number
    wallMs: number
}

export type HostReply =
    | { ready: true }
    | { op: "started" | "stopped"; slot: number }
    | { op: "failed"; slot: number; error: string }
    | { op: "stats"; stats: HostStats }

/**
 * Boots at once: each boot instantiates a WASM VM and writes its settings over the bus (~0.1 s of
 * CPU here), so a whole fleet booting together would starve the VMs already running.
 */
const BOOTS_AT_ONCE = 4

const devices = new Map<number, HostedDevice>()
const bytecodes = new Map<string, Uint8Array>()
const meter = new VmMeter()
let since = { cpu: process.cpuUsage(), atMs: Date.now() }
let booting = 0
const waiting: (() => void)[] = []

const send = (m: HostReply) => process.send?.(m)
const log = (slot: number, line: string) => process.stdout.write(`${slot} ${line}\n`)

function bytecode(path: string): Uint8Array {
    let b = bytecodes.get(path)
    if (!b) bytecodes.set(path, (b = readFileSync(path)))
    return b
}

async function start(slot: number, config: DeviceProcessConfig) {
    devices.get(slot)?.stop()
    const hosted = new HostedDevice(config, {
        bytecode: bytecode(config.bytecodePath),
        onLog: l => log(slot, l),
        onVm: vm => meter.wrap(vm),
    })
    devices.set(slot, hosted)
    if (booting >= BOOTS_AT_ONCE) await new Promise<void>(r => waiting.push(r))
    booting++
    try {
        // Stopped while it waited for its turn: nothing to boot.
        if (devices.get(slot) !== hosted) return
        await hosted.start()
        send({ op: "started", slot })
    } catch (e) {
        const error = e instanceof Error ? e.message : String(e)
        log(slot, `error: device start failed: ${error}`)
        send({ op: "failed", slot, error })
    } finally {
        booting--
        waiting.shift()?.()
    }
}

function stop(slot: number) {
    const hosted = devices.get(slot)
    devices.delete(slot)
    hosted?.stop()
    send({ op: "stopped", slot })
}

function stats(reset: boolean): HostStats {
    const cpu = process.cpuUsage(since.cpu)
    const mem = process.memoryUsage()
    const s: HostStats = {
        devices: devices.size,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        wallMs: Date.now() - since.atMs,
        ...meter.read(),
    }
    if (reset) {
        since = { cpu: process.cpuUsage(), atMs: Date.now() }
        meter.reset()
    }
    return s
}

process.on("message", (m: HostRequest) => {
    switch (m?.op) {
        case "start":
            void start(m.slot, m.config)
            break
        case "stop":
            stop(m.slot)
            break
        case "control":
            devices.get(m.slot)?.control(m.control)
            break
        case "stats":
            send({ op: "stats", stats: stats(!!m.reset) })
            break
    }
})
const exit = () => {
    for (const d of devices.values()) d.stop()
    process.exit(0)
}
process.on("SIGTERM", exit)
process.on("SIGINT", exit)
process.on("disconnect", exit)
send({ ready: true })
