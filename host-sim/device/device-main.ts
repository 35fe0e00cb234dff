/**
 * Child-process entry for one simulated device (one VM per process: killing the process is a
 * faithful power cut, and the device has the process to itself). Configuration arrives as the first
 * IPC message, never in argv or the environment: it holds MQTT_PASS, and argv is readable by every
 * local user (`ps`, /proc/<pid>/cmdline). Every VM log line goes to stdout. The process exits when its parent goes away.
 * Many devices per process: device-host.ts.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { HostedDevice, type DeviceControl, type DeviceProcessConfig } from "./hosted-device.ts"

export type { DeviceProcessConfig } from "./hosted-device.ts"

/** Resolves with the configuration the parent sends in answer to `{ ready: true }`. */
function receiveConfig(): Promise<DeviceProcessConfig> {
    return new Promise((resolve, reject) => {
        if (!process.send) return reject(new Error("no IPC channel: start this through SimDevice"))
        process.once("message", (m: { config?: DeviceProcessConfig }) =>
            m?.config ? resolve(m.config) : reject(new Error("the first message was not the configuration")),
        )
        // Messages sent before a listener exists would be lost: the parent waits for this.
        process.send({ ready: true })
    })
}

async function main() {
    const orphaned = () => process.exit(0)
    process.once("disconnect", orphaned)
    const cfg = await receiveConfig()
    process.off("disconnect", orphaned)
    // DEVS_TAP_FILE: record every socket write (host time + hex) and save it on exit, for the benchmark.
    const tapFile = process.env.DEVS_TAP_FILE
    const writes: string[] = []
    const hosted = new HostedDevice(cfg, {
        bytecode: readFileSync(cfg.bytecodePath),
        onLog: line => process.stdout.write(line + "\n"),
        onSocketWrite: tapFile ? (b, t) => writes.push(`${t} ${Buffer.from(b).toString("hex")}`) : undefined,
    })
    const stop = () => {
        hosted.stop()
        if (tapFile) writeFileSync(tapFile, writes.join("\n") + "\n")
        process.exit(0)
    }
    process.on("SIGTERM", stop)
    process.on("SIGINT", stop)
    process.on("disconnect", stop)
    // Scenario control from the parent (DeviceControl).
    process.on("message", (m: DeviceControl) => {
        if (m) hosted.control(m)
    })
    await hosted.start()
}

main().catch(e => {
    process.stderr.write(`device: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
})
