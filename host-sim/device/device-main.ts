/**
 * Child-process entry for one simulated device (one VM per process: the VM's
 * socket bridge keeps one socket per instance, and killing the process is a
 * faithful power cut). Configuration arrives as JSON in argv[2]; every VM log
 * line goes to stdout. The process exits when its parent goes away.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { boardProfile, type BoardId } from "../board/profiles.ts"
import { SimSensors, type SensorMode } from "../sensors/sim-sensors.ts"
import { VmDevice, type SettingValue } from "./vm-device.ts"

export interface DeviceProcessConfig {
    deviceId: string
    bytecodePath: string
    settings: Record<string, SettingValue>
    sensors: string[]
    seed: number
    /** Board profile (host-sim/board/profiles.ts); absent: the plain simulator. */
    board?: BoardId
    /** Model Wi-Fi on the plain simulator too (a wifi-down scenario). */
    wifi?: boolean
}

async function main() {
    const cfg = JSON.parse(process.argv[2]) as DeviceProcessConfig
    // DEVS_TAP_FILE: record every socket write (host time + hex) and save it on exit, for the benchmark.
    const tapFile = process.env.DEVS_TAP_FILE
    const writes: string[] = []
    const device = new VmDevice({
        onSocketWrite: tapFile ? (b, t) => writes.push(`${t} ${Buffer.from(b).toString("hex")}`) : undefined,
        deviceId: cfg.deviceId,
        bytecode: readFileSync(cfg.bytecodePath),
        settings: cfg.settings,
        onLog: line => process.stdout.write(line + "\n"),
        board: boardProfile(cfg.board),
        wifi: cfg.wifi,
    })
    const sensors = new SimSensors(device.bus, cfg.sensors, cfg.seed)
    const stop = () => {
        sensors.stop()
        device.stop()
        if (tapFile) writeFileSync(tapFile, writes.join("\n") + "\n")
        process.exit(0)
    }
    process.on("SIGTERM", stop)
    process.on("SIGINT", stop)
    process.on("disconnect", stop)
    // Scenario control from the parent: { sensor: "humidity", mode: "fail" | "stuck" | "ok" }, { wifi: "down" | "up" }
    // or { restart: "reboot" | "powercut", offMs }.
    process.on("message", (m: { sensor?: string; mode?: SensorMode; wifi?: "down" | "up"; restart?: "reboot" | "powercut"; offMs?: number }) => {
        if (m && m.wifi) device.wifi.setAccessPoint(m.wifi === "up")
        if (m && m.restart) device.restart(m.restart, m.offMs ?? 0)
        if (m && m.sensor && m.mode) {
            sensors.setMode(m.sensor, m.mode)
            process.stdout.write(`sim: sensor ${m.sensor} -> ${m.mode}\n`)
        }
    })
    // Messages sent before this listener existed would be lost: the parent waits for this.
    process.send?.({ ready: true })
    sensors.start()
    await device.start()
}

main().catch(e => {
    process.stderr.write(`device: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
})
