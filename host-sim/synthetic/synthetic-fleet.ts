/**
 * A synthetic fleet: `count` SyntheticDevice clients spread over processes of `perProcess` each
 * (synthetic-host.ts), named `<namePrefix>1..N`. Each connection is a file descriptor in its host
 * process (and one in the broker): a process is started with its open-files limit raised to what
 * its share needs (`ulimit -n` in the shell that execs it: Node itself cannot raise it), and fails
 * with the reason if the hard limit is lower.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { BrokerTarget } from "../link/broker-connect.ts"
import { awaitReply } from "../device/child-reply.ts"
import type { SyntheticReply, SyntheticRequest, SyntheticShare, SyntheticStats } from "./synthetic-host.ts"

const ENTRY = fileURLToPath(new URL("./synthetic-host.ts", import.meta.url))
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
/** Descriptors a Node process needs besides its connections (stdio, IPC, the event loop, tsx). */
const FD_MARGIN = 256
const REPLY_TIMEOUT_MS = 30_000

export const FLEET_DEFAULTS = {
    perProcess: 2500,
    namePrefix: "syn",
    // Per process, so as not to flood a listen backlog (Mosquitto's is 100: listen(sock, 100) in src/net.c).
    connectsPerS: 500,
}

export interface SyntheticFleetOptions {
    target: BrokerTarget
    count: number
    prefix: string
    periodMs: number
    perProcess?: number
    namePrefix?: string
    connectsPerS?: number
    diagEveryMs?: number
}

/** The hard open-files limit a child of this process gets (the soft one can be raised up to it). */
export function hardNofile(): number {
    const r = spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" })
    const v = r.stdout.trim()
    return v === "unlimited" ? Infinity : Number(v) || 0
}

interface Host {
    child: ChildProcess
    exited: Promise<void>
    waiting: ((m: SyntheticReply) => void)[]
}

export class SyntheticFleet {
    private readonly hosts: Host[] = []

    constructor(private readonly o: SyntheticFleetOptions) {}

    get names(): string[] {
        const p = this.o.namePrefix ?? FLEET_DEFAULTS.namePrefix
        return Array.from({ length: this.o.count }, (_, i) => `${p}${i + 1}`)
    }

    /** Starts the processes; the devices connect at the ramp rate (watch stats().connected). */
    async start(): Promise<void> {
        const per = this.o.perProcess ?? FLEET_DEFAULTS.perProcess
        const need = per + FD_MARGIN
        const hard = hardNofile()
        if (hard < need)
            throw new Error(
                `synthetic fleet: ${per} connections per process need ${need} open files, the hard limit here is ${hard} (raise it, e.g. ulimit -Hn, or lower perProcess)`,
            )
        const names = this.names
        for (let from = 0; from < names.length; from += per) {
            const host = this.spawn(need)
            await this.request(host, null)
            const share: SyntheticShare = {
                target: this.o.target,
                prefix: this.o.prefix,
                names: names.slice(from, from + per),
                seed: from + 1,
                periodMs: this.o.periodMs,
                diagEveryMs: this.o.diagEveryMs,
                connectsPerS: this.o.connectsPerS ?? FLEET_DEFAULTS.connectsPerS,
            }
            host.child.send({ op: "start", share } satisfies SyntheticRequest)
        }
    }

    /** Summed over the processes; `reset` starts a new measuring window in each. */
    async stats(reset = false): Promise<SyntheticStats & { processes: number }> {
        const all = await Promise.all(this.hosts.map(h => this.request(h, { op: "stats", reset })))
        const sum: SyntheticStats & { processes: number } = {
            processes: all.length,
            devices: 0,
            connected: 0,
            connects: 0,
            published: 0,
            acked: 0,
            rssBytes: 0,
            cpuMs: 0,
            wallMs: 0,
            nofile: Infinity,
        }
        for (const m of all) {
            if (!("op" in m) || m.op !== "stats") continue
            const s = m.stats
            sum.devices += s.devices
            sum.connected += s.connected
            sum.connects += s.connects
            sum.published += s.published
            sum.acked += s.acked
            sum.rssBytes += s.rssBytes
            sum.cpuMs += s.cpuMs
            sum.wallMs = Math.max(sum.wallMs, s.wallMs)
            sum.nofile = Math.min(sum.nofile, s.nofile)
        }
        return sum
    }

    /** Planned stops (`offline` then DISCONNECT) in every process, then the processes end. */
    async stop(): Promise<void> {
        await Promise.all(
            this.hosts.map(async h => {
                if (h.child.exitCode === null && h.child.signalCode === null) {
                    h.child.send({ op: "stop" } satisfies SyntheticRequest)
                    const timer = setTimeout(() => h.child.kill("SIGKILL"), REPLY_TIMEOUT_MS)
                    await h.exited
                    clearTimeout(timer)
                }
            }),
        )
    }

    private spawn(nofile: number): Host {
        // `ulimit -n` raises the soft limit (and, as root, the hard one) for the node it execs.
        const child = spawn(
            "sh",
            ["-c", `ulimit -n ${nofile} && exec "$0" "$@"`, process.execPath, "--import", TSX, ENTRY],
            {
                stdio: ["ignore", "inherit", "inherit", "ipc"],
            },
        )
        const host: Host = { child, exited: new Promise(r => child.once("exit", () => r())), waiting: [] }
        child.on("message", (m: SyntheticReply) => host.waiting.shift()?.(m))
        this.hosts.push(host)
        return host
    }

    /** Sends `m` (null: none, just the next reply, e.g. `ready`) and resolves with the reply. */
    private request(h: Host, m: SyntheticRequest | null): Promise<SyntheticReply> {
        return awaitReply(
            h.waiting,
            () => {
                if (m) h.child.send(m)
            },
            REPLY_TIMEOUT_MS,
            "a synthetic fleet process did not answer",
        )
    }
}
