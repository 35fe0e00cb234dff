/**
 * Child-process entry for a share of a synthetic fleet (synthetic-fleet.ts): many SyntheticDevice
 * clients in one process, connected at a bounded rate so that a broker's listen backlog is not
 * flooded (a full backlog drops SYNs, and the retransmits cost seconds). Driven by IPC message.
 */
import { readFileSync } from "node:fs"
import { tlsOptions, type BrokerTarget } from "../link/broker-connect.ts"
import { SyntheticDevice } from "./synthetic-device.ts"

export interface SyntheticShare {
    target: BrokerTarget
    prefix: string
    /** Device names of this process. */
    names: string[]
    /** Seed of the first name; +1 per device. */
    seed: number
    periodMs: number
    diagEveryMs?: number
    connectsPerS: number
}

export type SyntheticRequest =
    { op: "start"; share: SyntheticShare } | { op: "stats"; reset?: boolean } | { op: "stop" }

export interface SyntheticStats {
    devices: number
    connected: number
    connects: number
    published: number
    acked: number
    rssBytes: number
    cpuMs: number
    wallMs: number
    /** This process's open-files limit (soft), as the kernel applies it. */
    nofile: number
}

export type SyntheticReply = { ready: true } | { op: "stats"; stats: SyntheticStats } | { op: "stopped" }

const devices: SyntheticDevice[] = []
let since = { cpu: process.cpuUsage(), atMs: Date.now() }
let ramp: NodeJS.Timeout | undefined
const send = (m: SyntheticReply) => process.send?.(m)

function nofile(): number {
    const line = readFileSync("/proc/self/limits", "utf8")
        .split("\n")
        .find(l => l.startsWith("Max open files"))
    return Number(line?.split(/\s+/)[3]) || 0
}

function start(s: SyntheticShare) {
    const tls = s.target.tls ? tlsOptions(s.target) : undefined
    let next = 0
    // Every 100 ms a tenth of the rate: a steady ramp, not bursts of a second's worth.
    const perTick = Math.max(1, Math.round(s.connectsPerS / 10))
    const tick = () => {
        for (let k = 0; k < perTick && next < s.names.length; k++, next++) {
            const d = new SyntheticDevice({
                target: s.target,
                name: s.names[next],
                prefix: s.prefix,
                periodMs: s.periodMs,
                seed: s.seed + next,
                diagEveryMs: s.diagEveryMs,
                tls,
            })
            devices.push(d)
            d.start()
        }
        if (next < s.names.length) ramp = setTimeout(tick, 100)
    }
    tick()
}

function stats(reset: boolean): SyntheticStats {
    const cpu = process.cpuUsage(since.cpu)
    const s: SyntheticStats = {
        devices: devices.length,
        connected: 0,
        connects: 0,
        published: 0,
        acked: 0,
        rssBytes: process.memoryUsage().rss,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        wallMs: Date.now() - since.atMs,
        nofile: nofile(),
    }
    for (const d of devices) {
        if (d.connected) s.connected++
        s.connects += d.counts.connects
        s.published += d.counts.published
        s.acked += d.counts.acked
    }
    if (reset) since = { cpu: process.cpuUsage(), atMs: Date.now() }
    return s
}

async function stop() {
    clearTimeout(ramp)
    await Promise.all(devices.map(d => d.stop()))
    send({ op: "stopped" })
    process.exit(0)
}

process.on("message", (m: SyntheticRequest) => {
    if (m?.op === "start") start(m.share)
    if (m?.op === "stats") send({ op: "stats", stats: stats(!!m.reset) })
    if (m?.op === "stop") void stop()
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
send({ ready: true })
