/**
 * The bench's delivery runs: a firmware in a VM publishing a burst (ours, the stock client, raw
 * socket writes), MQTT.js as the host reference, latency, a broker restart, and the fleet size this
 * machine sustains. bench/run.ts runs them and writes the report.
 */
import { existsSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { brokerTarget, connectBroker } from "../host-sim/link/broker-connect.ts"
import type { RunningBroker } from "../host-sim/brokers/broker.ts"
import { SimDevice } from "../host-sim/device/sim-device.ts"
import { deliveryRatePerS } from "./report-parts.ts"
import type { SettingValue } from "../host-sim/device/vm-device.ts"
import { Observer, type Observed } from "../host-sim/ledger/observer.ts"
import { Simulation } from "../host-sim/simulation.ts"
import { SIM_QUANTITIES } from "../host-sim/sensors/sim-sensors.ts"
import { analyseWire, percentile, type WireStats } from "./wire.ts"

const RUN_TIMEOUT_MS = 90_000
const QUIET_MS = 3000

export interface RunResult {
    client: string
    qos: number
    sent: number
    delivered: number
    perS: number
    completed: boolean
    panics: number
    wire?: WireStats
    note: string
}

let nextId = 1
const deviceId = () => (0xbe9c0000 + nextId++).toString(16).padStart(8, "0") + "0000b00c"

/**
 * A device (not started yet) running `bytecode` against `broker` as DEVICE_NAME `name`, with `settings` on
 * top; its log lines, and a started observer of its telemetry. `tap`: where it saves its socket writes.
 */
async function observedDevice(
    broker: RunningBroker,
    name: string,
    bytecode: string,
    settings: Record<string, SettingValue>,
    tap = "",
) {
    const obs = new Observer(broker.url, `devs/${name}/telemetry`)
    await obs.start()
    const log: string[] = []
    const dev = new SimDevice(
        {
            deviceId: deviceId(),
            bytecodePath: bytecode,
            settings: { MQTT_HOST: "127.0.0.1", MQTT_PORT: broker.port, DEVICE_NAME: name, ...settings },
            sensors: SIM_QUANTITIES,
            seed: 1,
        },
        l => log.push(l),
        "",
        tap,
    )
    return { obs, log, dev }
}

/** Runs one firmware in a VM against the broker and counts what the subscriber received. */
export async function runVm(
    broker: RunningBroker,
    client: string,
    bytecode: string,
    qos: number,
    n: number,
    extra: Record<string, SettingValue> = {},
): Promise<RunResult & { messages: Observed[]; writes: string[] }> {
    const name = `${client}${qos}x${nextId}`
    const tap = join(tmpdir(), `devs-bench-${process.pid}-${name}.tap`)
    const { obs, log, dev } = await observedDevice(
        broker,
        name,
        bytecode,
        { BURST_N: n, BURST_QOS: qos, ...extra },
        tap,
    )
    dev.start()
    // Done when everything arrived, or nothing new arrived for a while after the device said it finished or crashed.
    const t0 = Date.now()
    let last = 0
    while (Date.now() - t0 < RUN_TIMEOUT_MS) {
        await new Promise(r => setTimeout(r, 250))
        const got = obs.messages.length
        if (got >= n) break
        const finished = log.some(l => /burst done|PANIC/.test(l))
        if (finished && got === last && Date.now() - (obs.messages.at(-1)?.atMs ?? t0) > QUIET_MS) break
        last = got
    }
    await dev.stop()
    await obs.stop()
    if (!existsSync(tap))
        throw new Error(`${name}: the device process left no wire tap; its log ends:\n${log.slice(-15).join("\n")}`)
    const writes = readFileSync(tap, "utf8").trim().split("\n").filter(Boolean)
    rmSync(tap, { force: true })
    const msgs = obs.messages
    const seqs = new Set(msgs.map(m => JSON.parse(m.payload.toString()).seq))
    const panics = log.filter(l => /PANIC/.test(l)).length
    return {
        client,
        qos,
        sent: n,
        delivered: client === "raw" ? msgs.length : seqs.size,
        perS: deliveryRatePerS(msgs.map(m => m.atMs)),
        completed: msgs.length >= n && panics === 0,
        panics,
        wire: analyseWire(writes),
        note: panics ? `VM panicked ${panics}x (${log.find(l => /Exception/.test(l))?.trim() ?? "?"})` : "",
        messages: msgs,
        writes,
    }
}

/** MQTT.js in Node: the host reference. */
export async function runMqttJs(broker: RunningBroker, qos: 0 | 1, n: number): Promise<RunResult> {
    const name = `mqttjs${qos}`
    const obs = new Observer(broker.url, `devs/${name}/telemetry`)
    await obs.start()
    const c = await connectBroker(brokerTarget(broker.url), { clientId: name })
    // In batches of 500: MQTT.js has no in-flight limit of its own, and 2000 pending writes trip Node's listener warning.
    for (let from = 1; from <= n; from += 500) {
        const pubs: Promise<unknown>[] = []
        for (let i = from; i < from + 500 && i <= n; i++)
            pubs.push(c.publishAsync(`devs/${name}/telemetry`, `{"seq":${i}}`, { qos }))
        await Promise.all(pubs)
    }
    await obs.waitFor(() => obs.messages.length >= n, 30_000).catch(() => undefined)
    await c.endAsync()
    await obs.stop()
    const m = obs.messages
    return {
        client: "mqttjs",
        qos,
        sent: n,
        delivered: m.length,
        perS: deliveryRatePerS(m.map(x => x.atMs)),
        completed: m.length >= n,
        panics: 0,
        note: "",
    }
}

/** Steady 10 msg/s from our client (`n` messages): VM socket write -> subscriber receipt. */
export async function latency(broker: RunningBroker, burst: string, n: number) {
    const r = await runVm(broker, "latency", burst, 1, n, { BURST_GAP_MS: 100 })
    const sentAt = new Map<number, number>()
    for (const line of r.writes) {
        const [t, hex] = line.split(" ")
        const b = Buffer.from(hex, "hex")
        const m = /"seq":(\d+)/.exec(b.toString("latin1"))
        if (b[0] >> 4 === 3 && m && !sentAt.has(Number(m[1]))) sentAt.set(Number(m[1]), Number(t))
    }
    const lat = r.messages
        .map(m => m.atMs - (sentAt.get(JSON.parse(m.payload.toString()).seq) ?? m.atMs))
        .sort((a, b) => a - b)
    return { p50_ms: percentile(lat, 0.5), p99_ms: percentile(lat, 0.99), samples: lat.length }
}

/** Broker restart during steady telemetry: time from the broker listening again to the first new delivery. */
export async function restartToDelivery(broker: RunningBroker, burst: string) {
    const name = `restart${nextId}`
    const { obs, log, dev } = await observedDevice(broker, name, burst, {
        BURST_N: 100_000,
        BURST_QOS: 1,
        BURST_GAP_MS: 100,
        RETRY_BASE_MS: 1000,
        RETRY_CAP_MS: 120_000,
    })
    dev.start()
    await obs.waitFor(() => obs.messages.length >= 10, 30_000)
    await broker.restart()
    const upAt = Date.now()
    const first = await obs.waitFor(m => m.atMs >= upAt, 60_000).catch(() => undefined)
    await dev.stop()
    await obs.stop()
    const drawn = log
        .map(l => /reconnecting in (\d+) ms/.exec(l))
        .filter(Boolean)
        .map(m => Number(m![1]))
    return { ms: first ? first.atMs - upAt : -1, backoff_drawn_ms: drawn[drawn.length - 1] ?? -1 }
}

/** How many simulated devices at 1 msg/s this machine sustains (every device delivers >= 90 % in the window). */
export async function fleet(broker: RunningBroker, smoke: boolean) {
    const sizes = smoke ? [2] : [4, 8, 16, 32, 48]
    const windowS = smoke ? 8 : 20
    let sustained = 0
    const tried: { devices: number; min_rate: number }[] = []
    for (const n of sizes) {
        const sim = new Simulation({
            brokerUrl: broker.url,
            devices: n,
            periodMs: 1000,
            settings: { TOPIC_PREFIX: `fleet${n}`, HA_DISCOVERY: false },
        })
        await sim.start()
        await sim.observer
            .waitFor(
                () =>
                    new Set(sim.observer.messages.filter(m => m.topic.endsWith("/telemetry")).map(m => m.topic)).size >=
                    n,
                60_000,
            )
            .catch(() => undefined)
        const from = Date.now()
        await new Promise(r => setTimeout(r, windowS * 1000))
        const counts = new Map<string, number>()
        for (const m of sim.observer.messages)
            if (m.topic.endsWith("/telemetry") && m.atMs >= from) counts.set(m.topic, (counts.get(m.topic) ?? 0) + 1)
        await sim.stop()
        const minRate = counts.size < n ? 0 : Math.min(...counts.values()) / windowS
        tried.push({ devices: n, min_rate: Number(minRate.toFixed(2)) })
        if (minRate < 0.9) break
        sustained = n
    }
    return { sustained, tried }
}
