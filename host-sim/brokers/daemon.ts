/**
 * One way to run a broker-side daemon (mosquitto, nats-server, rabbitmq-server,
 * redis-server, epmd, an aedes node): spawned in its own process group, ready
 * when its log says so (a timeout or an early exit fails with the log's tail),
 * stopped with SIGTERM to the group and SIGKILL after a grace period.
 *
 * Why its own group: RabbitMQ's wrapper script starts beam.smp and helpers
 * that a signal to the wrapper alone leaves behind. Because a group no longer
 * receives the terminal's Ctrl-C, this module owns the one exit hook for every
 * daemon and private directory: on process exit (and on SIGINT / SIGTERM /
 * SIGHUP when nobody else handles them) every live group is killed and every
 * directory removed, so a killed bench or test leaves no broker behind.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The error message keeps this much of the log: enough for the daemon's own reason. */
const LOG_TAIL_CHARS = 4000
/** The log is kept only for readiness and errors: a bound, halved when reached. */
const LOG_MAX_CHARS = 400_000
const DEFAULT_STOP_GRACE_MS = 10_000

export interface DaemonSpec {
    /** Short name used in errors ("nats-server node 2"). */
    name: string
    command: string
    args?: string[]
    env?: NodeJS.ProcessEnv
    cwd?: string
    /** A log line (stdout or stderr) that says the daemon is ready. */
    ready: RegExp
    readyTimeoutMs: number
    /** After SIGTERM, how long before SIGKILL (default 10 s). */
    stopGraceMs?: number
}

const live = new Set<Daemon>()
const dirs = new Set<string>()

export class Daemon {
    private child?: ChildProcess
    /** Everything the daemon wrote since it was created (tail-bounded), across restarts. */
    log = ""

    constructor(readonly spec: DaemonSpec) {}

    get pid(): number | undefined {
        return this.running ? this.child?.pid : undefined
    }

    get running(): boolean {
        const c = this.child
        return !!c && c.exitCode === null && c.signalCode === null
    }

    /**
     * Spawns the daemon and resolves once its ready line appears; rejects (and kills it) otherwise.
     * `readyTimeoutMs` overrides the spec's for this start (a RabbitMQ node after a power cut).
     */
    async start(readyTimeoutMs = this.spec.readyTimeoutMs): Promise<void> {
        if (this.running) throw new Error(`${this.spec.name} is already running`)
        const from = this.log.length
        const s = this.spec
        const c = spawn(s.command, s.args ?? [], {
            env: s.env,
            cwd: s.cwd,
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
        })
        this.child = c
        live.add(this)
        c.once("exit", () => live.delete(this))
        // A spawn failure (ENOENT) is reported by waitForLog through the exit below.
        c.once("error", e => {
            this.log += `\nspawn error: ${e.message}\n`
        })
        const onData = (d: Buffer) => {
            this.log += d
            if (this.log.length > LOG_MAX_CHARS) this.log = this.log.slice(-LOG_MAX_CHARS / 2)
        }
        c.stdout!.on("data", onData)
        c.stderr!.on("data", onData)
        try {
            await this.waitForLog(s.ready, from, readyTimeoutMs, "ready line")
        } catch (e) {
            await this.stop()
            throw e
        }
    }

    /**
     * Resolves when the log written after offset `from` matches `re`. Rejects
     * with the log's tail on timeout or when the daemon exits first.
     */
    waitForLog(re: RegExp, from: number, timeoutMs: number, what: string): Promise<void> {
        const c = this.child
        if (!c) return Promise.reject(new Error(`${this.spec.name} was never started`))
        return new Promise((resolve, reject) => {
            const check = () => {
                if (re.test(this.log.slice(from))) done()
            }
            const onExit = (code: number | null, sig: string | null) =>
                done(`exited (${sig ?? code}) before its ${what}`)
            const timer = setTimeout(() => done(`no ${what} within ${timeoutMs} ms`), timeoutMs)
            const done = (why?: string) => {
                clearTimeout(timer)
                c.stdout!.off("data", check)
                c.stderr!.off("data", check)
                c.off("exit", onExit)
                if (why) reject(new Error(`${this.spec.name}: ${why}\n${this.tail(from)}`))
                else resolve()
            }
            c.stdout!.on("data", check)
            c.stderr!.on("data", check)
            c.once("exit", onExit)
            if (!this.running) onExit(c.exitCode, c.signalCode)
            else check()
        })
    }

    /** The log since `from`, at most its last LOG_TAIL_CHARS characters. */
    tail(from = 0): string {
        return this.log.slice(Math.max(from, this.log.length - LOG_TAIL_CHARS))
    }

    /** A signal to the daemon's whole group (SIGHUP for a reload, SIGSTOP to freeze it). */
    signal(sig: NodeJS.Signals): void {
        const c = this.child
        if (c?.pid === undefined) return
        try {
            process.kill(-c.pid, sig)
        } catch {
            // The group is already gone.
        }
    }

    /** SIGHUP (a config reload); resolves once the log written from now on matches `done`. */
    async reload(done: RegExp, timeoutMs: number, what: string): Promise<void> {
        const reloaded = this.waitForLog(done, this.log.length, timeoutMs, what)
        this.signal("SIGHUP")
        await reloaded
    }

    /** SIGKILL to the group, no grace: a node lost to a crash or a power cut. Resolves once it has exited. */
    async kill(): Promise<void> {
        const c = this.child
        if (!c) return
        const gone = this.running ? new Promise(resolve => c.once("exit", resolve)) : Promise.resolve()
        this.signal("SIGKILL")
        await gone
    }

    /** SIGTERM to the group, SIGKILL after the grace period; then whatever is left of the group is killed. */
    async stop(): Promise<void> {
        const c = this.child
        if (!c) return
        if (this.running) {
            const gone = new Promise(resolve => c.once("exit", resolve))
            this.signal("SIGTERM")
            const timer = setTimeout(() => this.signal("SIGKILL"), this.spec.stopGraceMs ?? DEFAULT_STOP_GRACE_MS)
            await gone
            clearTimeout(timer)
        }
        // Helpers the daemon forked (beam's heart, erl_child_setup) may outlive the leader.
        this.signal("SIGKILL")
    }
}

/** A private directory that the exit hook removes if `removeDir` was never called. */
export function privateDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    dirs.add(dir)
    return dir
}

export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true })
    dirs.delete(dir)
}

/**
 * The lifetime of what runs in a private directory: `start`, and when it fails, `stop` and the
 * directory removed before the error passes on. Resolves to the matching close: `stop`, then the
 * directory removed.
 */
export async function startInDir(
    dir: string,
    start: () => Promise<unknown>,
    stop: () => Promise<unknown>,
): Promise<() => Promise<void>> {
    const close = async () => {
        await stop()
        removeDir(dir)
    }
    try {
        await start()
    } catch (e) {
        await close()
        throw e
    }
    return close
}

function killEverything(): void {
    for (const d of live) d.signal("SIGKILL")
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}

process.on("exit", killEverything)
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
        // A program with its own handler (the simulator's graceful stop) decides when to exit;
        // the "exit" hook still runs then. Alone, we keep Node's default: exit with 128 + n.
        if (process.listenerCount(sig) > 1) return
        killEverything()
        process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const)[sig])
    })
}
