/**
 * Devices per core, for both kinds of simulated device, in one run against one broker:
 *
 * - real-bytecode devices: the firmware in its VM, `perProcess` VMs per device host process
 *   (host-sim/device/device-host.ts), each with its own sensors, flash and connection;
 * - synthetic devices: MQTT.js clients on the same topic, Will, birth and QoS contract
 *   (host-sim/synthetic/).
 *
 * Devices per core = devices / (CPU seconds the device processes used per wall second), so it does
 * not depend on how much of the machine other work left us; "sustained" means every device delivered
 * at least 0.9 of its readings in the window, with no panic and no unexplained loss (ledger.ts).
 * Memory per VM is the device hosts' RSS above that of an empty host, per VM.
 */
import mqtt from "mqtt"
import { brokerTarget } from "../host-sim/link/broker-connect.ts"
import type { RunningBroker } from "../host-sim/brokers/broker.ts"
import { DevicePool } from "../host-sim/device/device-pool.ts"
import { deviceLedgers, ledgerOf } from "../host-sim/ledger/ledger.ts"
import { ledgerInputs } from "../host-sim/ledger/ledger-inputs.ts"
import { Simulation } from "../host-sim/simulation.ts"
import { SyntheticFleet } from "../host-sim/synthetic/synthetic-fleet.ts"
import { cpuSeconds, pidListeningOn } from "./proc-cpu.ts"

const SUSTAINED_RATE = 0.9
const MIB = 2 ** 20
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
const round = (x: number, d = 2) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null)

export interface RealScaleOptions {
    devices: number
    perProcess: number
    windowS: number
    periodMs?: number
    /** Device log lines matching this are collected (PANIC, Exception by default). */
    badLine?: RegExp
}

/** Broker CPU over a window: null when the broker is not a separate process we can see. */
function brokerMeter(broker: RunningBroker) {
    const pid = broker.kind === "aedes" ? null : pidListeningOn(broker.port)
    const t0 = pid ? cpuSeconds(pid) : NaN
    const at = Date.now()
    return () => (pid ? round((cpuSeconds(pid) - t0) / ((Date.now() - at) / 1000)) : null)
}

/** Readings per second of each device over the window, from what a subscriber received. */
function rates(perDevice: Map<string, number>, names: string[], windowS: number) {
    const r = names.map(n => (perDevice.get(n) ?? 0) / windowS)
    return { min_rate: round(Math.min(...r)), mean_rate: round(r.reduce((a, b) => a + b, 0) / r.length) }
}

export async function realDevicesRun(broker: RunningBroker, o: RealScaleOptions) {
    const periodMs = o.periodMs ?? 1000
    const prefix = `scale${o.devices}x${o.perProcess}`
    // The empty host: what a device host process costs before its first VM.
    const empty = new DevicePool()
    const base = await empty.stats()
    await empty.close()
    const bad: string[] = []
    const badLine = o.badLine ?? /PANIC|Exception/
    const sim = new Simulation({
        brokerUrl: broker.url,
        devices: o.devices,
        vmsPerProcess: o.perProcess,
        periodMs,
        settings: { TOPIC_PREFIX: prefix },
        onDeviceLog: (d, l) => {
            if (badLine.test(l)) bad.push(`${d}: ${l}`)
        },
    })
    const t0 = Date.now()
    try {
        await sim.start()
        const names = Array.from({ length: o.devices }, (_, i) => `sim${i + 1}`)
        const publishing = new Set<string>()
        const tel = (t: string) => t.startsWith(prefix + "/") && t.endsWith("/telemetry")
        // A process that cannot boot them all in time has found its ceiling: measure the window anyway.
        const allUp = await sim.observer
            .waitFor(
                m => tel(m.topic) && publishing.add(m.topic.split("/")[1]).size === o.devices,
                60_000 + 1000 * o.devices,
                "every device publishing",
            )
            .then(
                () => true,
                () => false,
            )
        const bootS = allUp ? (Date.now() - t0) / 1000 : NaN
        await Promise.all(sim.pools.map(p => p.stats(true)))
        const brokerCpu = brokerMeter(broker)
        const from = Date.now()
        await sleep(o.windowS * 1000)
        const stats = await Promise.all(sim.pools.map(p => p.stats()))
        const brokerCores = brokerCpu()
        const perDevice = new Map<string, number>()
        for (const m of sim.observer.messages)
            if (m.atMs >= from && tel(m.topic))
                perDevice.set(m.topic.split("/")[1], (perDevice.get(m.topic.split("/")[1]) ?? 0) + 1)
        const { readings, diagnostics } = ledgerInputs(sim.observer.messages, prefix)
        const ledgers = deviceLedgers(readings, diagnostics)
        const cpuMs = stats.reduce((n, s) => n + s.cpuMs, 0)
        const wallMs = Math.max(...stats.map(s => s.wallMs))
        const ticks = stats.reduce((n, s) => n + s.ticks, 0)
        const tickMs = stats.reduce((n, s) => n + s.tickMs, 0)
        const rss = stats.reduce((n, s) => n + s.rssBytes, 0)
        const cpuCores = cpuMs / wallMs
        const r = rates(perDevice, names, o.windowS)
        const unexplained = ledgers.reduce((n, l) => n + l.unexplained, 0)
        return {
            kind: "real-bytecode",
            devices: o.devices,
            per_process: o.perProcess,
            processes: sim.pools.length,
            period_ms: periodMs,
            window_s: o.windowS,
            boot_s: round(bootS, 1),
            publishing_at_window: publishing.size,
            ...r,
            cpu_cores: round(cpuCores),
            devices_per_core: round(o.devices / cpuCores, 0),
            rss_mib_per_process: round(rss / stats.length / MIB, 0),
            empty_host_rss_mib: round(base.rssBytes / MIB, 0),
            rss_mib_per_vm: round((rss - stats.length * base.rssBytes) / o.devices / MIB),
            // CPU inside the VMs' runtime loops (bytecode, GC, frames), per VM and wall second, and its share of the hosts' CPU.
            vm_tick_ms_per_vm_s: round(tickMs / o.devices / (wallMs / 1000), 3),
            vm_tick_share: round(tickMs / cpuMs),
            // How often the runtime ran, per VM and wall second: fibers woken, timers, Jacdac frames.
            vm_ticks_per_vm_s: round(ticks / o.devices / (wallMs / 1000), 1),
            mean_tick_us: round((tickMs * 1000) / ticks, 1),
            loop_delay_p99_ms: Math.max(...stats.map(s => s.loopDelayP99Ms)),
            loop_delay_max_ms: Math.max(...stats.map(s => s.loopDelayMaxMs)),
            broker_cpu_cores: brokerCores,
            readings: ledgers.reduce((n, l) => n + l.received, 0),
            missing: ledgers.reduce((n, l) => n + l.missing, 0),
            unexplained,
            panics: bad.length,
            bad_lines: bad.slice(0, 5),
            sustained: (r.min_rate ?? 0) >= SUSTAINED_RATE && bad.length === 0 && unexplained === 0,
        }
    } finally {
        await sim.stop()
    }
}

export interface SyntheticScaleOptions {
    devices: number
    perProcess: number
    windowS: number
    periodMs?: number
}

export async function syntheticRun(broker: RunningBroker, o: SyntheticScaleOptions) {
    const periodMs = o.periodMs ?? 1000
    const prefix = `syn${o.devices}`
    const target = brokerTarget(broker.url)
    const fleet = new SyntheticFleet({ target, count: o.devices, perProcess: o.perProcess, prefix, periodMs })
    // A counting subscriber: at thousands of messages a second, keeping each one (Observer) costs too much.
    // A persistent session that reconnects: on a starved machine a lost subscriber must not read as lost readings.
    const sub = await mqtt.connectAsync(broker.url, {
        clientId: `scale-sub-${process.pid}-${o.devices}`,
        clean: false,
        reconnectPeriod: 500,
    })
    let subscriberCloses = 0
    sub.on("close", () => subscriberCloses++)
    let counting = false
    const seqs = new Map<string, number[]>()
    sub.on("message", (topic, payload) => {
        if (!counting) return
        const name = topic.split("/")[1]
        const seq = /"seq":(\d+)/.exec(payload.toString("latin1"))
        if (seq) (seqs.get(name) ?? seqs.set(name, []).get(name)!).push(Number(seq[1]))
    })
    await sub.subscribeAsync(`${prefix}/+/telemetry`, { qos: 1 })
    const t0 = Date.now()
    try {
        await startConnected(fleet, o.devices)
        const connectS = (Date.now() - t0) / 1000
        // One period for the last ones to publish, then the window.
        await sleep(periodMs)
        const start = await fleet.stats(true)
        const brokerCpu = brokerMeter(broker)
        counting = true
        await sleep(o.windowS * 1000)
        counting = false
        const end = await fleet.stats()
        const brokerCores = brokerCpu()
        const perDevice = new Map([...seqs].map(([n, v]) => [n, v.length]))
        const missing = [...seqs.values()].reduce((n, v) => n + ledgerOf(v).missing, 0)
        const cpuCores = end.cpuMs / end.wallMs
        return {
            kind: "synthetic",
            devices: o.devices,
            per_process: o.perProcess,
            processes: end.processes,
            period_ms: periodMs,
            window_s: o.windowS,
            connect_s: round(connectS, 1),
            connected: end.connected,
            // What the devices published (their own count) and what the subscriber received, per device and second:
            // a gap between the two is the broker's or the subscriber's lag, not the devices'.
            published_rate: round((end.published - start.published) / o.devices / o.windowS),
            ...rates(perDevice, fleet.names, o.windowS),
            missing,
            subscriber_closes: subscriberCloses,
            cpu_cores: round(cpuCores),
            devices_per_core: round(o.devices / cpuCores, 0),
            rss_mib_per_process: round(end.rssBytes / end.processes / MIB, 0),
            kib_per_device: round(end.rssBytes / o.devices / 1024, 0),
            nofile_per_process: end.nofile,
            broker_cpu_cores: brokerCores,
            sustained:
                end.connected === o.devices &&
                (rates(perDevice, fleet.names, o.windowS).min_rate ?? 0) >= SUSTAINED_RATE,
        }
    } finally {
        await fleet.stop()
        await sub.endAsync()
    }
}

/** Starts the fleet and waits until its `devices` are connected (at most 60 s + 50 ms a device); its stats then. */
async function startConnected(fleet: SyntheticFleet, devices: number) {
    await fleet.start()
    let s = await fleet.stats()
    const deadline = Date.now() + 60_000 + 50 * devices
    while (s.connected < devices && Date.now() < deadline) {
        await sleep(1000)
        s = await fleet.stats()
    }
    return s
}

/** Both at once on one broker: the synthetic fleet connected first, then the real devices' run beside it. */
export async function realBesideSynthetic(
    broker: RunningBroker,
    real: RealScaleOptions,
    synthetic: { devices: number; perProcess: number },
) {
    const fleet = new SyntheticFleet({
        target: brokerTarget(broker.url),
        count: synthetic.devices,
        perProcess: synthetic.perProcess,
        prefix: `beside${synthetic.devices}`,
        periodMs: real.periodMs ?? 1000,
    })
    try {
        const before = await startConnected(fleet, synthetic.devices)
        const r = await realDevicesRun(broker, real)
        const after = await fleet.stats()
        return {
            ...r,
            synthetic_beside: synthetic.devices,
            synthetic_connected_before: before.connected,
            synthetic_connected_after: after.connected,
        }
    } finally {
        await fleet.stop()
    }
}

export type RealScaleResult = Awaited<ReturnType<typeof realDevicesRun>>
export type SyntheticScaleResult = Awaited<ReturnType<typeof syntheticRun>>

/** The bench section: the smoke run proves it works with a few devices. */
export async function scaleSection(broker: RunningBroker, smoke: boolean) {
    const real: RealScaleResult[] = []
    if (smoke) real.push(await realDevicesRun(broker, { devices: 3, perProcess: 3, windowS: 5 }))
    else {
        // The 200-device fleet in two processes, then one process filled until it no longer keeps up.
        real.push(await realDevicesRun(broker, { devices: 200, perProcess: 100, windowS: 60 }))
        for (const n of [150, 200]) {
            const r = await realDevicesRun(broker, { devices: n, perProcess: n, windowS: 30 })
            real.push(r)
            if (!r.sustained) break
        }
    }
    const synthetic = smoke
        ? await syntheticRun(broker, { devices: 50, perProcess: 25, windowS: 5 })
        : await syntheticRun(broker, { devices: 5000, perProcess: 2500, windowS: 60 })
    return { real, synthetic }
}
