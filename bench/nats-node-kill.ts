/**
 * Issue 23's NATS node-kill loss, traced: the scenario of test/interop/nats-cluster.interop.ts
 * (3-node NATS cluster, 2 devices at 300 ms with MQTT_HOSTS n1,n2,n3 in order, a persistent QoS 1
 * watcher on n3, n1 SIGKILLed once the watcher has seq 3 of each device) run `--trials` times. For
 * each trial it records which node led the JetStream consumer of the watcher's subscription and the
 * `$MQTT_msgs` stream when n1 died, which readings were missing when the test checks (seq ≥ last + 8),
 * and when each of those arrived afterwards (with its DUP flag) over `--after` seconds, beside what
 * the loss ledger says of them (readings_acked: acknowledged by the broker). Prints one line per trial and writes
 * bench/nats-node-kill.json.
 *
 *   npx tsx bench/nats-node-kill.ts --trials 6 --after 45
 */
import { createHash } from "node:crypto"
import { EventEmitter } from "node:events"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import mqtt from "mqtt"
import { startCluster, type ClusterNode } from "../host-sim/brokers/cluster.ts"
import { deviceLedgers } from "../host-sim/ledger/ledger.ts"
import { ledgerInputs } from "../host-sim/ledger/ledger-inputs.ts"
import { PROJECT_DIR, Simulation } from "../host-sim/simulation.ts"

const { values } = parseArgs({
    options: {
        trials: { type: "string", default: "3" },
        after: { type: "string", default: "45" },
        period: { type: "string", default: "300" },
    },
    strict: true,
})
const TRIALS = Number(values.trials)
/** Observation after the kill: longer than NATS' MQTT ack_wait (30 s by default) shows its redeliveries. */
const AFTER_MS = Number(values.after) * 1000
const PERIOD_MS = Number(values.period)
const DEVICES = ["sim1", "sim2"]
const STEP_TIMEOUT_MS = 60_000

interface Seen {
    device: string
    seq: number
    dup: boolean
    atMs: number
}

interface Trial {
    /** The watcher's connection closed after the kill (n3's MQTT layer lost it): its in-flight messages wait for ack_wait. */
    watcherDrops: number
    consumerLeader: string
    streamLeader: string
    /** Per device: the readings missing when the interop test checks, and what became of them. */
    devices: {
        device: string
        movedTo: string
        missingAtCheck: number[]
        /**
         * Each reading missing at the check: ms after the kill it first arrived (-1: never), its DUP flag, and
         * when a later reading of the device first arrived (negative: it was lost before the kill).
         */
        late: { seq: number; afterKillMs: number; dup: boolean; nextAfterKillMs: number }[]
        missingAtEnd: number[]
        /** The loss ledger (host-sim/ledger/ledger.ts) over the whole trial: missing, explained by the device's drop counters, and acknowledged by the broker but never delivered (readings_acked). */
        ledger: { missing: number; dropped: Record<string, number>; lostAfterAck: number; unexplained: number }
        delivered: number
        /** For a device with a reading missing at the end: what its log and the watcher said around the kill (ms after the kill). */
        evidence?: { deviceLog: string[]; arrivals: string[] }
    }[]
    /** With a reading missing at the end: the nodes' warnings, errors and leader changes. */
    nodeLogs?: string[]
}

/** nats-server's getHash (server/events.go): the session's id hash that prefixes its consumers' names. */
function natsHash(name: string): string {
    const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    const b = createHash("sha256").update(name).digest()
    return Array.from(b.subarray(0, 8), x => digits[x % 62]).join("")
}

/** The node whose log last said it leads `what` ("'$G > $MQTT_msgs'" or a consumer), or "?". */
function leaderOf(nodes: ClusterNode[], what: RegExp): string {
    let best = { name: "?", at: -1 }
    for (const n of nodes) {
        const log = n.log()
        for (const m of log.matchAll(
            /^\[\d+\] (\S+ \S+) \[INF\] JetStream cluster new (?:stream|consumer) leader for (.*)$/gm,
        ))
            if (what.test(m[2]) && Date.parse(m[1].replace(/\//g, "-")) >= best.at)
                best = { name: n.name, at: Date.parse(m[1].replace(/\//g, "-")) }
    }
    return best.name
}

function ledgerOf(l: ReturnType<typeof deviceLedgers>[number] | undefined): Trial["devices"][number]["ledger"] {
    const dropped: Record<string, number> = {}
    for (const b of l?.boots ?? []) for (const [k, n] of Object.entries(b.dropped)) dropped[k] = (dropped[k] ?? 0) + n
    return {
        missing: l?.missing ?? -1,
        dropped,
        lostAfterAck: l?.lostAfterAck ?? -1,
        unexplained: l?.unexplained ?? -1,
    }
}

function waitFor(ticks: EventEmitter, cond: () => boolean, what: string): Promise<void> {
    if (cond()) return Promise.resolve()
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            ticks.off("tick", on)
            reject(new Error(`timed out after ${STEP_TIMEOUT_MS} ms: ${what}`))
        }, STEP_TIMEOUT_MS)
        const on = () => {
            if (!cond()) return
            clearTimeout(timer)
            ticks.off("tick", on)
            resolve()
        }
        ticks.on("tick", on)
    })
}

async function trial(i: number): Promise<Trial> {
    const cluster = await startCluster({ kind: "nats", nodes: 3 })
    const [n1, , n3] = cluster.nodes
    const ticks = new EventEmitter()
    ticks.setMaxListeners(50)
    const seen: Seen[] = []
    const raw: { topic: string; payload: Buffer; atMs: number }[] = []
    const logs: Record<string, { atMs: number; line: string }[]> = {}
    const watchId = `nats-kill-watch-${process.pid}-${i}`
    const watcher = await mqtt.connectAsync(n3.url, { clientId: watchId, clean: false, reconnectPeriod: 200 })
    let sim: Simulation | undefined
    try {
        watcher.on("message", (topic, payload, packet) => {
            const [, device, kind] = topic.split("/")
            raw.push({ topic, payload, atMs: Date.now() })
            if (kind === "telemetry")
                seen.push({
                    device,
                    seq: JSON.parse(payload.toString()).seq as number,
                    dup: packet.dup,
                    atMs: Date.now(),
                })
            ticks.emit("tick")
        })
        await watcher.subscribeAsync("devs/+/+", { qos: 1 })
        sim = new Simulation({
            brokerUrl: n3.url,
            devices: DEVICES.length,
            periodMs: PERIOD_MS,
            // Diagnostics every 5 s: readings_acked, the broker's acknowledgements, close to the end of the trial.
            settings: { MQTT_HOSTS: cluster.hosts, HA_DISCOVERY: false, DIAG_EVERY_MS: 5000 },
            timeResponder: false,
            onDeviceLog: (d, line) => {
                ;(logs[d] ??= []).push({ atMs: Date.now(), line })
                ticks.emit("tick")
            },
        })
        await sim.start()
        const seqs = (d: string) => seen.filter(s => s.device === d).map(s => s.seq)
        const port = (d: string, after = 0) =>
            (logs[d] ?? [])
                .filter(l => l.atMs >= after)
                .map(l => /-> connected \(.*mqtt:\/\/127\.0\.0\.1:(\d+)\)/.exec(l.line)?.[1])
                .find(p => p !== undefined && Number(p) !== n1.port)
        const onN1 = (d: string) => (logs[d] ?? []).some(l => l.line.includes(`127.0.0.1:${n1.port})`))
        await waitFor(ticks, () => DEVICES.every(d => onN1(d) && Math.max(0, ...seqs(d)) >= 3), "seq 3 on n1")

        const consumerLeader = leaderOf(cluster.nodes, new RegExp(`\\$MQTT_msgs > ${natsHash(watchId)}_`))
        const streamLeader = leaderOf(cluster.nodes, /'\$G > \$MQTT_msgs'$/)
        const tk = Date.now()
        let watcherDrops = 0
        watcher.on("close", () => watcherDrops++)
        await n1.kill()
        await waitFor(ticks, () => DEVICES.every(d => port(d, tk)), "devices moved")
        const last = Object.fromEntries(DEVICES.map(d => [d, Math.max(...seqs(d))]))
        await waitFor(ticks, () => DEVICES.every(d => Math.max(...seqs(d)) >= last[d] + 8), "8 readings more")
        const missing = (d: string) => {
            const have = new Set(seqs(d))
            const out: number[] = []
            for (let s = 1; s <= Math.max(...have); s++) if (!have.has(s)) out.push(s)
            return out
        }
        const atCheck = Object.fromEntries(DEVICES.map(d => [d, missing(d)]))
        // A fixed observation window after the kill: what is measured, not a synchronisation.
        await new Promise(r => setTimeout(r, Math.max(0, tk + AFTER_MS - Date.now())))
        const name = (p: string | undefined) => cluster.nodes.find(n => String(n.port) === p)?.name ?? "?"
        const { readings, diagnostics } = ledgerInputs(raw)
        const ledgers = deviceLedgers(readings, diagnostics)
        const rel = (t: number) => `${t - tk >= 0 ? "+" : ""}${t - tk} ms`
        const evidence = (d: string) => {
            const gap = missing(d)[0]
            return {
                deviceLog: (logs[d] ?? [])
                    .filter(l => l.atMs >= tk - 3000 && l.atMs <= tk + 6000)
                    .map(l => `${rel(l.atMs)} ${l.line}`),
                arrivals: seen
                    .filter(x => x.device === d && x.seq >= gap - 3 && x.seq <= gap + 6)
                    .map(x => `seq ${x.seq} ${rel(x.atMs)}${x.dup ? " DUP" : ""}`),
            }
        }
        const lost = DEVICES.some(d => missing(d).length > 0)
        return {
            watcherDrops,
            consumerLeader,
            streamLeader,
            devices: DEVICES.map(d => {
                const first = (seq: number) => seen.find(s => s.device === d && s.seq === seq)
                return {
                    device: d,
                    movedTo: name(port(d, tk)),
                    missingAtCheck: atCheck[d],
                    late: atCheck[d].map(seq => ({
                        seq,
                        afterKillMs: first(seq) ? first(seq)!.atMs - tk : -1,
                        dup: first(seq)?.dup ?? false,
                        nextAfterKillMs: (seen.find(x => x.device === d && x.seq > seq)?.atMs ?? tk) - tk,
                    })),
                    missingAtEnd: missing(d),
                    ledger: ledgerOf(ledgers.find(l => l.device === d)),
                    delivered: new Set(seqs(d)).size,
                    ...(missing(d).length ? { evidence: evidence(d) } : {}),
                }
            }),
            ...(lost
                ? {
                      nodeLogs: cluster.nodes.flatMap(n =>
                          n
                              .log()
                              .split("\n")
                              .filter(l => /\[(WRN|ERR)\]|leader/.test(l))
                              .map(l => `${n.name} ${l}`),
                      ),
                  }
                : {}),
        }
    } finally {
        await sim?.stop()
        await watcher.endAsync(true)
        await cluster.close()
    }
}

const trials: Trial[] = []
for (let i = 1; i <= TRIALS; i++) {
    const t = await trial(i)
    trials.push(t)
    const per = t.devices
        .map(
            d =>
                `${d.device}->${d.movedTo} missing at check [${d.missingAtCheck.join(",")}]` +
                (d.late.length
                    ? ` arrived ${d.late.map(l => (l.afterKillMs < 0 ? `${l.seq}: never (a later reading arrived ${(l.nextAfterKillMs / 1000).toFixed(1)} s after the kill)` : `${l.seq}: +${(l.afterKillMs / 1000).toFixed(1)} s${l.dup ? " DUP" : ""}`)).join(", ")}`
                    : "") +
                `, missing at end [${d.missingAtEnd.join(",")}]` +
                (d.ledger.lostAfterAck > 0 ? ` (ledger: ${d.ledger.lostAfterAck} acknowledged, never delivered)` : ""),
        )
        .join("; ")
    console.log(
        `trial ${i}: watcher dropped ${t.watcherDrops}, consumer leader ${t.consumerLeader}, stream leader ${t.streamLeader}; ${per}`,
    )
}
const command = `npx tsx bench/nats-node-kill.ts ${process.argv.slice(2).join(" ")}`.trim()
writeFileSync(
    join(PROJECT_DIR, "bench", "nats-node-kill.json"),
    JSON.stringify({ at: new Date().toISOString(), command, trials }, null, 2) + "\n",
)
process.exit(0)
