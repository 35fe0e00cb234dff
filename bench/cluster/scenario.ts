/**
 * One cluster through the issue-12 scenarios, with the real firmware bytecode
 * in the simulator's VMs and every node in the devices' MQTT_HOSTS (shuffled
 * per device):
 *
 *   1. steady   every device connected and publishing (QoS 1 telemetry)
 *   2. kill     SIGKILL of the node that serves the most devices (never the
 *               watcher's): its devices must move to a surviving node
 *   3. restart  the node comes back on its ports with its data
 *   4. retained what a newcomer to each node sees (status, discovery)
 *   5. power    a site power cut: every broker process and every device dies
 *      cut      at once; after OFF_MS all start together
 *
 * An independent watcher (persistent session, QoS 1) on the last node
 * counts every reading; the loss ledger (host-sim/ledger/ledger.ts) explains gaps
 * with the devices' own drop counters and their reboots.
 */
import { EventEmitter } from "node:events"
import { startCluster, type ClusterKind, type RunningCluster } from "../../host-sim/brokers/cluster.ts"
import { deviceLedgers } from "../../host-sim/ledger/ledger.ts"
import { ledgerInputs } from "../../host-sim/ledger/ledger-inputs.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { Simulation } from "../../host-sim/simulation.ts"
import { DeviceLog, peakPerSecond, until } from "./device-log.ts"
import { retainedView, type RetainedView } from "./retained-probe.ts"

const DIAG_EVERY_MS = 5000
/** Lines of each node's log kept with a loss. */
const NODE_LOG_LINES = 30
/** How long the power stays off in the site power cut. */
const OFF_MS = 3000
/** The longest a device may take to be back before it counts as stuck. */
export const BACK_TIMEOUT_MS = 180_000

export interface ScenarioOptions {
    kind: ClusterKind
    devices: number
    periodMs: number
    /** Steady running between the steps. */
    steadyMs: number
    progress?: (line: string) => void
}

export interface ClusterResult {
    kind: ClusterKind
    version: string
    nodes: number
    devices: number
    periodMs: number
    clusterStartMs: number
    kill: {
        node: string
        devicesOnNode: number
        moved: number
        stuck: number
        reconnectMsMax: number
        willsSeen: number
        /** When each Will came, after the kill. */
        willsAfterMs: number[]
        /** Devices whose status keeper answered a Will with `online` (their log), and the last answer after the kill. */
        willsCorrected: number
        willCorrectedMsMax: number
        subscribeRefusals: string
        sessionsKept: number
    }
    restart: { node: string; readyMs: number }
    retained: Record<string, RetainedView>
    powerCut: {
        offMs: number
        brokersReadyMs: number
        powerOnError: string
        allOnlineMs: number
        peakConnectsPerS: number
        peakAttemptsPerS: number
        stuck: number
    }
    finalRetained: Record<string, RetainedView>
    ledger: {
        sent: number
        delivered: number
        lost: number
        explained: Record<string, number>
        unexplained: number
        /** Missing readings the broker acknowledged (the devices' readings_acked, by each boot's last report). */
        lostAfterAck: number
        duplicates: number
        reboots: number
        /**
         * Every boot with a loss its drop counters do not explain (the broker's after its PUBACK, or
         * unexplained): where to look, each gap with when the readings around it arrived.
         */
        /** When the watcher lost its broker and was back (its persistent session should have kept what came meanwhile). */
        watcherHoles: string[]
        /** With a loss: what the broker nodes wrote besides their ready lines, the last NODE_LOG_LINES of each. */
        nodeLogs: string[]
        lossBoots: {
            device: string
            boot: string
            gaps: string
            /** Per gap: between the receipts of the readings around it, after the scenario's last step then. */
            gapsAt: string[]
            /** The boot's last reading received, and when. */
            last: string
            /** The boot's last diagnostics: when, readings_acked, and the readings the watcher had by then. */
            report: string
            /** The device's log from 2 s before each gap to 1 s after it (15 s before a boot's first reading received, if it lacks its first). */
            deviceLog: string[]
            before: number
            dropped: Record<string, number>
            lostAfterAck: number
            unexplained: number
            noDiagnostics: boolean
        }[]
    }
    /** PANIC or Exception lines in any device log. */
    panics: string[]
}

export async function runClusterScenario(o: ScenarioOptions): Promise<ClusterResult> {
    const say = o.progress ?? (() => {})
    const t0 = Date.now()
    const cluster = await startCluster({ kind: o.kind, nodes: 3 })
    const clusterStartMs = Date.now() - t0
    say(`${o.kind} ${cluster.version}: 3 nodes up in ${clusterStartMs} ms (${cluster.hosts})`)
    const ticks = new EventEmitter()
    ticks.setMaxListeners(100)
    const subscribe = (on: () => void) => {
        ticks.on("tick", on)
        return () => ticks.off("tick", on)
    }
    const logs = new Map<string, DeviceLog>()
    const watchNode = cluster.nodes[cluster.nodes.length - 1]
    const watcher = new Observer(watchNode.url, "devs/#", `devs-cluster-watch-${process.pid}`)
    let sim: Simulation | undefined
    try {
        await watcher.start(10_000)
        watcher.on("message", () => ticks.emit("tick"))
        sim = new Simulation({
            brokerUrl: watchNode.url,
            devices: o.devices,
            periodMs: o.periodMs,
            // Diagnostics every 5 s: each boot's last report (readings_acked, drop counters) is close to its end,
            // so that the ledger can tell a reading the broker acknowledged and lost from one never acknowledged.
            settings: { MQTT_HOSTS: cluster.hosts, MQTT_SHUFFLE: true, DIAG_EVERY_MS },
            timeResponder: false,
            onDeviceLog: (dev, line) => {
                let l = logs.get(dev)
                if (!l) logs.set(dev, (l = new DeviceLog(dev)))
                l.line(line)
                ticks.emit("tick")
            },
        })
        await sim.start()
        const names = sim.devices.map(d => String(d.config.settings.DEVICE_NAME))
        const log = (d: string) => logs.get(d) ?? new DeviceLog(d)
        const telemetry = (d: string) => watcher.messages.filter(m => m.topic === `devs/${d}/telemetry`).length
        await until(subscribe, () => names.every(d => telemetry(d) >= 3), 120_000, "every device publishing")
        say(
            `steady: ${names.length} devices publishing; first choices ${names.map(d => `${d}->${nodeOf(cluster, log(d).port)}`).join(" ")}`,
        )
        await pause(o.steadyMs)

        // 2. kill the busiest node other than the watcher's.
        const victim = cluster.nodes
            .filter(n => n !== watchNode)
            .map(n => ({ n, on: names.filter(d => log(d).port === n.port) }))
            .sort((a, b) => b.on.length - a.on.length)[0]
        const tk = Date.now()
        await victim.n.kill()
        say(`kill: ${victim.n.name} (SIGKILL) served ${victim.on.join(", ") || "no device"}`)
        await until(
            subscribe,
            () => victim.on.every(d => log(d).connectAfter(tk, victim.n.port)),
            90_000,
            "devices of the killed node connected elsewhere",
        ).catch(e => say(String(e)))
        const moved = victim.on.filter(d => log(d).connectAfter(tk, victim.n.port))
        const sessionsKept = moved.filter(d => log(d).connectAfter(tk, victim.n.port)!.sessionPresent).length
        const reconnectMsMax = Math.max(0, ...moved.map(d => log(d).connectAfter(tk, victim.n.port)!.atMs - tk))
        await pause(o.steadyMs)
        const subscribeRefusals = await refusedSubscriptions(cluster.nodes.filter(n => n !== victim.n).map(n => n.url))
        // The node stays down until the others must have declared it dead (aedes: missed heartbeats), so
        // whether its clients' Wills come is the broker's answer, not a race with the restart.
        await pause(Math.max(0, tk + cluster.deadNodeAfterMs - Date.now()))
        say(
            `kill: ${moved.length}/${victim.on.length} moved, slowest after ${reconnectMsMax} ms; ${sessionsKept} found their session; new subscriptions refused: ${subscribeRefusals}`,
        )

        // 3. restart it.
        const tr = Date.now()
        await victim.n.start()
        const readyMs = Date.now() - tr
        say(`restart: ${victim.n.name}, down for ${tr - tk} ms, answers MQTT after ${readyMs} ms`)
        await pause(o.steadyMs)

        // 4. retained state as a newcomer to each node sees it.
        const retained: Record<string, RetainedView> = {}
        for (const n of cluster.nodes) retained[n.name] = await retainedView(n.url, names)
        say(`retained: ${JSON.stringify(retained)}`)
        // A Will may come late (aedes publishes a dead node's Wills after missed heartbeats): counted up to here.
        const statusAfter = (d: string, payload: string, from: number) =>
            watcher.messages.find(
                m => m.topic === `devs/${d}/status` && m.payload.toString() === payload && m.atMs >= from,
            )
        const wills = victim.on.flatMap(d => {
            const will = statusAfter(d, "offline", tk)
            return will ? [{ d, atMs: will.atMs }] : []
        })
        // The device's status keeper answers an `offline` on its status topic while it is connected with
        // `online` and says so in its log: a Will that reached the device even where the watcher missed it.
        const answers = victim.on.flatMap(d =>
            log(d)
                .corrections.filter(t => t >= tk)
                .slice(0, 1),
        )
        const willsCorrected = answers.length
        const willCorrectedMsMax = Math.max(0, ...answers.map(t => t - tk))
        say(
            `wills: ${wills.length} of ${victim.on.length} seen by the watcher${wills.map(w => `, ${w.d} +${w.atMs - tk} ms`).join("")}; ${willsCorrected} answered by their device, the last ${willCorrectedMsMax} ms after the kill`,
        )

        // 5. site power cut: brokers and devices die together, come back together.
        const tp = Date.now()
        for (const d of sim.devices) d.restart("powercut", OFF_MS)
        await cluster.powerCut()
        await pause(Math.max(0, tp + OFF_MS - Date.now()))
        const ton = Date.now()
        let powerOnError = ""
        await cluster.powerOn().catch(e => {
            // Measured, not fatal: the devices keep trying, and whether they get in is the result.
            powerOnError = (e as Error).message.split("\n")[0]
            say(`power on: ${powerOnError}`)
        })
        const brokersReadyMs = powerOnError ? -1 : Date.now() - ton
        await until(
            subscribe,
            () => names.every(d => log(d).connectAfter(ton)),
            BACK_TIMEOUT_MS,
            "every device connected after the power cut",
        ).catch(e => say(String(e)))
        const back = names.map(d => log(d).connectAfter(ton))
        const stuck = back.filter(c => !c).length
        const allOnlineMs = Math.max(0, ...back.map(c => (c ? c.atMs - ton : 0)))
        const connects = names.flatMap(d => log(d).connects.map(c => c.atMs))
        const attempts = names.flatMap(d => log(d).attempts)
        const power = {
            offMs: OFF_MS,
            brokersReadyMs,
            powerOnError,
            allOnlineMs,
            peakConnectsPerS: peakPerSecond(connects, ton),
            peakAttemptsPerS: peakPerSecond(attempts, ton),
            stuck,
        }
        say(
            `power cut: brokers ready after ${brokersReadyMs} ms, every device connected after ${allOnlineMs} ms, ${stuck} stuck`,
        )
        // Let every device report its counters after the drain (the second diagnostics after a connect).
        await pause(o.steadyMs)
        const finalRetained: Record<string, RetainedView> = {}
        for (const n of cluster.nodes) finalRetained[n.name] = await retainedView(n.url, names)

        const { readings, diagnostics } = ledgerInputs(watcher.messages)
        const steps: [string, number][] = [
            ["start", t0],
            ["kill", tk],
            ["restart", tr],
            ["power cut", tp],
        ]
        const reportOf = (device: string, boot: string) => {
            const d = diagnostics
                .filter(x => x.device === device && x.boot === boot)
                .sort((a, b) => b.uptimeMs - a.uptimeMs)[0]
            if (!d?.atMs) return "none"
            const had = new Set(
                readings.filter(r => r.device === device && r.boot === boot && r.atMs <= d.atMs!).map(r => r.seq),
            ).size
            return `at ${when(d.atMs)}: readings_acked ${d.readingsAcked ?? "?"}, received by then ${had}`
        }
        const when = (t: number | undefined) => {
            if (t === undefined) return "?"
            const [step, from] = steps.filter(e => e[1] <= t).pop() ?? steps[0]
            return `${step} + ${((t - from) / 1000).toFixed(1)} s`
        }
        const ls = deviceLedgers(readings, diagnostics)
        const explained: Record<string, number> = {}
        let sent = 0
        for (const l of ls)
            for (const b of l.boots) {
                sent += b.lastSeq
                for (const [cause, n] of Object.entries(b.dropped)) explained[cause] = (explained[cause] ?? 0) + n
            }
        const delivered = ls.reduce((n, l) => n + l.received - l.duplicates, 0)
        return {
            kind: o.kind,
            version: cluster.version,
            nodes: cluster.nodes.length,
            devices: names.length,
            periodMs: o.periodMs,
            clusterStartMs,
            kill: {
                node: victim.n.name,
                devicesOnNode: victim.on.length,
                moved: moved.length,
                stuck: victim.on.length - moved.length,
                reconnectMsMax,
                willsSeen: wills.length,
                willsAfterMs: wills.map(w => w.atMs - tk),
                willsCorrected,
                willCorrectedMsMax,
                subscribeRefusals,
                sessionsKept,
            },
            restart: { node: victim.n.name, readyMs },
            retained,
            powerCut: power,
            finalRetained,
            ledger: {
                sent,
                delivered,
                lost: ls.reduce((n, l) => n + l.missing, 0),
                explained,
                unexplained: ls.reduce((n, l) => n + l.unexplained, 0),
                // Capped by each boot's missing readings: a report can overtake an acknowledged reading on its way
                // to the watcher (seen on aedes), and a reading that came after the report is not lost.
                lostAfterAck: ls.reduce(
                    (n, l) =>
                        n +
                        l.boots.reduce(
                            (m, b) =>
                                m +
                                Math.min(
                                    b.lostAfterAck,
                                    Math.max(
                                        0,
                                        b.missing - Object.values(b.dropped).reduce((x, y) => x + y, 0) - b.unobserved,
                                    ),
                                ),
                            0,
                        ),
                    0,
                ),
                duplicates: ls.reduce((n, l) => n + l.duplicates, 0),
                reboots: ls.reduce((n, l) => n + l.reboots, 0),
                watcherHoles: watcher.holes.map(h => `${when(h.fromMs)} .. ${h.toMs ? when(h.toMs) : "end"}`),
                nodeLogs: ls.some(l => l.missing > 0 || l.lostAfterAck > 0)
                    ? cluster.nodes.flatMap(n =>
                          n
                              .log()
                              .split("\n")
                              .filter(x => x.trim() && !/ready on|Server is ready/.test(x))
                              .slice(-NODE_LOG_LINES)
                              .map(x => `${n.name}: ${x}`),
                      )
                    : [],
                lossBoots: ls.flatMap(l =>
                    l.boots
                        .filter(b => b.unexplained > 0 || b.lostAfterAck > 0)
                        .map(b => {
                            const at = (seq: number) =>
                                readings.find(r => r.device === l.device && r.boot === b.boot && r.seq === seq)?.atMs
                            return {
                                device: l.device,
                                boot: b.boot,
                                gaps: b.gaps.map(g => `${g.from}-${g.to}`).join(","),
                                gapsAt: b.gaps.map(g => `${when(at(g.from - 1))} .. ${when(at(g.to + 1))}`),
                                last: `seq ${b.lastSeq} at ${when(at(b.lastSeq))}`,
                                report: reportOf(l.device, b.boot),
                                // Around each gap; for readings missing at the start of a boot, up to its first one received.
                                deviceLog: [
                                    ...(b.before
                                        ? [{ from: at(b.firstSeq) ?? 0, to: at(b.firstSeq) ?? 0, back: 15_000 }]
                                        : []),
                                    ...b.gaps.map(g => ({
                                        from: at(g.from - 1) ?? 0,
                                        to: at(g.to + 1) ?? Infinity,
                                        back: 2000,
                                    })),
                                ].flatMap(w =>
                                    log(l.device)
                                        .lines.filter(x => x.atMs >= w.from - w.back && x.atMs <= w.to + 1000)
                                        .map(x => `${when(x.atMs)} ${x.text}`),
                                ),
                                before: b.before,
                                dropped: b.dropped,
                                lostAfterAck: b.lostAfterAck,
                                unexplained: b.unexplained,
                                noDiagnostics: b.noDiagnostics,
                            }
                        }),
                ),
            },
            panics: names.flatMap(d => log(d).problems),
        }
    } finally {
        await sim?.stop()
        await watcher.stop()
        await cluster.close()
    }
}

/** New QoS 1 subscriptions tried on the surviving nodes while a node is down: "refused of tried". */
async function refusedSubscriptions(urls: string[]): Promise<string> {
    let refused = 0
    const tries = urls.flatMap(u => [u, u, u])
    for (const u of tries) {
        const o = new Observer(u, "devs/+/status")
        try {
            await o.start(10_000)
            await o.stop()
        } catch {
            refused++
        }
    }
    return `${refused} of ${tries.length}`
}

function nodeOf(c: RunningCluster, port: number): string {
    return c.nodes.find(n => n.port === port)?.name ?? "?"
}

/** A fixed stretch of steady running between steps (what is measured, not a synchronisation). */
function pause(ms: number): Promise<void> {
    return new Promise(r => setTimeout(r, ms))
}
