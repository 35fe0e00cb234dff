/**
 * `npm start`: embedded broker (or --broker), simulated device(s) running the
 * firmware bytecode, and a live view of what the broker receives. Ctrl-C or
 * the end of --duration stops every process it started.
 */
import { parseArgs, USAGE, type CliOptions } from "./cli-args.ts"
import { formatMessage } from "./live-view.ts"
import { Simulation } from "./simulation.ts"

async function main(o: CliOptions): Promise<number> {
    const sim = new Simulation({
        brokerUrl: o.broker || undefined,
        devices: o.devices,
        periodMs: o.periodMs || undefined,
        onDeviceLog: (dev, line) => {
            // Device log: its own lines ("> ..."), warnings and errors; the VM's internals only with --verbose.
            if (o.verbose || /^> |error|warn|mqtt:/i.test(line)) console.log(`  [${dev}] ${line.replace(/^> /, "")}`)
        },
    })
    let stopping: Promise<void> | undefined
    const stop = () => (stopping ??= sim.stop())
    process.once("SIGINT", () => void stop().then(() => process.exit(0)))
    process.once("SIGTERM", () => void stop().then(() => process.exit(0)))
    try {
        await sim.start()
    } catch (e) {
        await stop()
        throw e
    }
    console.log(`broker: ${sim.url}${sim.broker ? " (embedded aedes)" : ""}`)
    console.log(`devices: ${sim.devices.map(d => d.config.settings.DEVICE_NAME).join(", ")}; watching ${sim.prefix}/#`)
    console.log(o.durationS ? `running for ${o.durationS} s` : "press Ctrl-C to stop")
    sim.observer.on("message", m => console.log(formatMessage(m)))
    if (o.durationS) {
        await new Promise(resolve => setTimeout(resolve, o.durationS * 1000))
        await stop()
        const telemetry = sim.observer.messages.filter(m => m.topic.endsWith("/telemetry")).length
        console.log(`done: ${telemetry} telemetry messages received`)
        return 0
    }
    await new Promise(() => {})
    return 0
}

let opts: CliOptions
try {
    opts = parseArgs(process.argv.slice(2))
} catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`)
    process.exit(2)
}
if (opts.help) {
    console.log(USAGE)
    process.exit(0)
}
main(opts).then(
    code => process.exit(code),
    e => {
        console.error(`error: ${(e as Error).message}`)
        process.exit(1)
    }
)
