/**
 * A private NATS server (Debian package `nats-server`) with its MQTT listener
 * on a free loopback port, its own config and JetStream store in a temp dir,
 * so tests never touch a system NATS (which may own 4222). NATS speaks MQTT
 * only with JetStream on and a `server_name`; sessions, QoS 1 messages and
 * retained messages live in JetStream file storage, so `restart()` (same
 * port, same store) keeps them.
 *
 * Users: with `users`, clients without credentials are mapped to
 * `noAuthUser` (MQTT's `no_auth_user`), so an anonymous device and observer
 * still connect while a wrong password is refused with CONNACK 5.
 * `setUsers()` rewrites the config and reloads it (SIGHUP).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { RunningBroker } from "./broker.ts"
import { freePort } from "./mosquitto.ts"
import { waitForMqtt } from "./mqtt-probe.ts"

const CANDIDATES = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
const START_TIMEOUT_MS = 20_000
/** JetStream limits: a test run stores a few thousand small messages. */
const JS_MAX_MEM = "64MB"
const JS_MAX_FILE = "256MB"

export interface NatsUser {
    user: string
    password: string
}

export interface NatsOptions {
    users?: NatsUser[]
    /** The user that MQTT clients without credentials become (must be in `users`). */
    noAuthUser?: string
}

export interface RunningNats extends RunningBroker {
    dir: string
    version: string
    /** Replaces the user list and reloads the config without a restart. */
    setUsers(users: NatsUser[]): Promise<void>
}

export function natsPath(): string | null {
    for (const p of CANDIDATES) if (existsSync(p)) return p
    const r = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" })
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
}

function config(dir: string, clientPort: number, mqttPort: number, o: NatsOptions): string {
    const q = JSON.stringify
    const lines = [
        // JetStream (and so MQTT) refuses to start without a server name.
        `server_name: ${q(`devs_${process.pid}_${mqttPort}`)}`,
        // Never the default 4222: a system NATS may already listen there.
        `listen: ${q(`127.0.0.1:${clientPort}`)}`,
        `jetstream { store_dir: ${q(join(dir, "js"))}, max_mem: ${JS_MAX_MEM}, max_file: ${JS_MAX_FILE} }`,
    ]
    if (o.users?.length) {
        // Explicit permissions: nats-server 2.9.10 dereferences a nil permission set (and exits) when a
        // reload changes users while retained MQTT messages exist (mqttCheckPubRetainedPerms).
        const perms = `permissions: { publish: ">", subscribe: ">" }`
        const users = o.users.map(u => `{ user: ${q(u.user)}, password: ${q(u.password)}, ${perms} }`).join(", ")
        lines.push(`authorization { users: [ ${users} ] }`)
    }
    const noAuth = o.users?.length && o.noAuthUser ? `, no_auth_user: ${q(o.noAuthUser)}` : ""
    lines.push(`mqtt { listen: ${q(`127.0.0.1:${mqttPort}`)}${noAuth} }`)
    return lines.join("\n") + "\n"
}

export async function startNats(o: NatsOptions = {}): Promise<RunningNats> {
    const bin = natsPath()
    if (!bin) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)")
    const dir = mkdtempSync(join(tmpdir(), "devs-nats-"))
    const port = await freePort()
    const clientPort = await freePort()
    const conf = join(dir, "nats.conf")
    let opts = { ...o }
    writeFileSync(conf, config(dir, clientPort, port, opts))
    let child: ChildProcess
    let log = ""
    let version = ""

    /** Resolves when the log has a line matching `re` (written after `from`). */
    function logLine(re: RegExp, from: number, timeoutMs: number, what: string): Promise<void> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => done(new Error(`nats-server: no ${what} within ${timeoutMs} ms\n${log.slice(from)}`)), timeoutMs)
            const check = () => {
                if (re.test(log.slice(from))) done()
            }
            const exited = (code: number | null) => done(new Error(`nats-server exited with ${code} before ${what}\n${log.slice(from)}`))
            const done = (e?: Error) => {
                clearTimeout(timer)
                child.stderr!.off("data", check)
                child.off("exit", exited)
                if (e) reject(e)
                else resolve()
            }
            child.stderr!.on("data", check)
            child.once("exit", exited)
            check()
        })
    }

    async function launch(): Promise<void> {
        const from = log.length
        child = spawn(bin!, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] })
        child.stderr!.on("data", d => {
            log += d
            // The log is only kept for error messages: keep its tail.
            if (log.length > 200_000) log = log.slice(-100_000)
        })
        await logLine(/Server is ready/, from, START_TIMEOUT_MS, "'Server is ready' line")
        version = /Version:\s+(\S+)/.exec(log.slice(from))?.[1] ?? version
        // MQTT answers once its JetStream assets exist: wait for a real CONNACK.
        await waitForMqtt(port, START_TIMEOUT_MS, () => child.exitCode === null)
    }

    async function halt() {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise(resolve => child.once("exit", resolve))
        child.kill("SIGTERM")
        await exited
    }

    // If the test process dies without close(), the server must not outlive it.
    const onExit = () => child.kill("SIGKILL")
    process.once("exit", onExit)
    try {
        await launch()
    } catch (e) {
        // Never leave a half-started server behind.
        await halt()
        process.off("exit", onExit)
        rmSync(dir, { recursive: true, force: true })
        throw e
    }
    return {
        kind: "nats",
        url: `mqtt://127.0.0.1:${port}`,
        port,
        dir,
        get version() {
            return version
        },
        restart: async () => {
            await halt()
            await launch()
        },
        setUsers: async (users: NatsUser[]) => {
            opts = { ...opts, users }
            writeFileSync(conf, config(dir, clientPort, port, opts))
            const from = log.length
            const reloaded = logLine(/Reloaded server configuration/, from, START_TIMEOUT_MS, "config reload")
            child.kill("SIGHUP")
            await reloaded
        },
        close: async () => {
            await halt()
            process.off("exit", onExit)
            rmSync(dir, { recursive: true, force: true })
        },
    }
}
