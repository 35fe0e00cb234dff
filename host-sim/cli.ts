/**
 * `npm start`: embedded broker (or --broker), simulated device(s) running the
 * firmware bytecode, and a live view of what the broker receives. Ctrl-C or
 * the end of --duration stops every process it started.
 */
import { availableParallelism } from "node:os"
import { resolve } from "node:path"
import type { BrokerTarget } from "./link/broker-connect.ts"
import { parseClusterSpec, startCluster, type RunningCluster } from "./brokers/cluster.ts"
import { boardProfile } from "./board/profiles.ts"
import { autoVmsPerProcess, DASHBOARD_DIAG_EVERY_MS, parseArgs, USAGE, type CliOptions } from "./cli/cli-args.ts"
import { runCli } from "./cli/cli-main.ts"
import { deviceLedgers, type Observation } from "./ledger/ledger.ts"
import { ledgerInputs, splitByRun } from "./ledger/ledger-inputs.ts"
import { formatLedgers, formatOthers } from "./ledger/ledger-report.ts"
import { startDashboard, type RunningDashboard } from "./dashboard/dashboard.ts"
import { LiveTable } from "./cli/live-table.ts"
import { formatMessage } from "./cli/live-view.ts"
import { deviceTopic } from "./ledger/topic-table.ts"
import { parseScenario } from "./chaos/scenario.ts"
import { ALL_SIM_QUANTITIES } from "./sensors/sim-sensors.ts"
import { Simulation } from "./simulation.ts"
import { deviceName } from "./device/device-handle.ts"
import { describePlannedStop } from "./device/planned-stop.ts"

/** Device log lines worth showing without --verbose: its own messages, warnings, errors, MQTT state. */
const INTERESTING = /^> |^sim: |error|warn|mqtt:/i

/** Said once: what the boards cannot do that the simulator just did (docs/secured-brokers.md). */
function boardNote(t: BrokerTarget): string {
    if (!t.tls) return ""
    const boards = "Pico W has no TLS, and ESP32 trusts only its runtime's built-in CA bundle"
    return t.caFile
        ? `note: the simulated devices trust ${t.caFile}; a board cannot: ${boards}, no private CA`
        : `note: TLS on a board: ${boards}: the broker needs a certificate from a public CA`
}

async function main(o: CliOptions): Promise<number> {
    const scenarios = o.scenarios.map(s => parseScenario(s, ALL_SIM_QUANTITIES))
    const useTable = o.view === "table" || (o.view === "auto" && process.stdout.isTTY === true)
    let table: LiveTable | undefined
    let cluster: RunningCluster | undefined
    if (o.brokerCluster) {
        console.log(`starting a ${o.brokerCluster} cluster (RabbitMQ takes a minute or two)...`)
        cluster = await startCluster(parseClusterSpec(o.brokerCluster))
    }
    const vmsPerProcess = o.vmsPerProcess || autoVmsPerProcess(o.devices, availableParallelism())
    if (!o.vmsPerProcess && vmsPerProcess > 1)
        console.log(
            `sim: ${o.devices} devices in ${Math.ceil(o.devices / vmsPerProcess)} processes of up to ${vmsPerProcess} VMs (${availableParallelism()} cores; --vms-per-process K to choose)`,
        )
    const sim = new Simulation({
        brokerUrl: cluster?.nodes[0].url ?? (o.broker || undefined),
        // Every device gets every node, in its own order, so a fleet's first choices spread (issue 12).
        settings: cluster ? { MQTT_HOSTS: cluster.hosts, MQTT_SHUFFLE: true } : undefined,
        caFile: o.ca ? resolve(o.ca) : undefined,
        // `npm start` runs in the project directory: its .env files, like `npm run deploy`.
        envDir: process.cwd(),
        devices: o.devices,
        vmsPerProcess,
        periodMs: o.periodMs || undefined,
        scenarios,
        board: o.board,
        // The dashboard's network faults need each device behind its own proxy.
        chaos: o.dashboard,
        defaultSettings: o.dashboard ? { DIAG_EVERY_MS: DASHBOARD_DIAG_EVERY_MS } : {},
        onDeviceLog: (dev, line) => {
            if (!o.verbose && !INTERESTING.test(line)) return
            const text = `[${dev}] ${line.replace(/^> /, "")}`
            if (table) table.log(text)
            else console.log("  " + text)
        },
    })
    let dashboard: RunningDashboard | undefined
    let stopping: Promise<void> | undefined
    const stop = () =>
        (stopping ??= (async () => {
            table?.stop()
            await dashboard?.stop()
            const planned = await sim.stop({ planned: true })
            if (sim.devices.length) console.log(describePlannedStop(sim.devices.map(deviceName), planned))
            await cluster?.close()
        })())
    /**
     * The loss ledger of what the observer received from this run's devices (the same report as `npm
     * run verify`, silent devices included); other devices on the broker, and boots under our names
     * that began before we listened, are listed apart and not judged (issue 28). The observation ends
     * when the run does: take it before stop().
     */
    const summary = (observation: Observation) => {
        const names = sim.devices.map(d => String(d.config.settings.DEVICE_NAME))
        const inputs = ledgerInputs(sim.observer?.messages ?? [], sim.prefix)
        const { ours, others } = splitByRun(inputs, names, observation.startMs)
        console.log(formatLedgers(deviceLedgers(ours.readings, ours.diagnostics, observation), observation))
        const seen = formatOthers(deviceLedgers(others.readings, others.diagnostics, observation), names)
        if (seen) console.log(seen)
    }
    process.once("SIGINT", () => {
        // Ctrl-C before the observer was made: nothing was observed.
        const observation = sim.observer?.observation() ?? { startMs: 0, endMs: Date.now(), holes: [] }
        void stop().then(() => {
            summary(observation)
            process.exit(0)
        })
    })
    process.once("SIGTERM", () => void stop().then(() => process.exit(0)))
    try {
        await sim.start()
        if (o.dashboard)
            dashboard = await startDashboard({
                target: sim.target,
                prefix: sim.prefix,
                port: o.dashboardPort,
                sim,
                // What the page did shows where the user watches: under the table, or as a line of its own.
                onAction: text => (table ? table.log(`dashboard: ${text}`) : console.log(`dashboard: ${text}`)),
            })
    } catch (e) {
        await stop()
        throw e
    }
    const header = [
        cluster
            ? `broker cluster: ${cluster.kind} ${cluster.version}, nodes ${cluster.nodes.map(n => n.url).join(" ")} (watching through ${cluster.nodes[0].name})`
            : `broker: ${sim.url}${sim.broker ? " (embedded aedes)" : ""}${sim.target.username ? ` as ${sim.target.username}` : ""}`,
        ...(boardNote(sim.target) ? [boardNote(sim.target)] : []),
        `board: ${boardProfile(o.board).label}${o.board === "sim" ? "" : ` (${o.board}: docs/board-profiles.md)`}`,
        ...(dashboard ? [`dashboard: ${dashboard.url}`] : []),
        `devices: ${sim.devices.map(deviceName).join(", ")}; watching ${sim.prefix}/#`,
        o.durationS ? `running for ${o.durationS} s` : "press Ctrl-C to stop",
    ].join("\n")
    if (useTable) {
        table = new LiveTable(process.stdout, header, sim.prefix)
        sim.observer.on("message", m => table!.update(m))
        table.start()
    } else {
        console.log(header)
        sim.observer.on("message", m => console.log(formatMessage(m, sim.prefix)))
    }
    if (o.durationS) {
        await new Promise(resolve => setTimeout(resolve, o.durationS * 1000))
        const observation = sim.observer.observation()
        await stop()
        // This run's devices only: other clients on the same broker are listed apart by the summary.
        const ours = new Set(sim.devices.map(deviceName))
        const telemetry = sim.observer.messages.filter(m => {
            const t = deviceTopic(m.topic, sim.prefix)
            return t?.kind === "telemetry" && ours.has(t.device)
        }).length
        console.log(`done: ${telemetry} telemetry messages received from this run's devices`)
        summary(observation)
        return 0
    }
    await new Promise(() => {})
    return 0
}

runCli(parseArgs, USAGE, main)
