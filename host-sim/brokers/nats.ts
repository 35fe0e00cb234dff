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
import { spawnSync } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningBroker } from "./broker.ts"
import { Daemon, privateDir, startInDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { startAnswering } from "./mqtt-probe.ts"

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
    const r = spawnSync("sh", ["-c", "command -v nats-server"], {
        encoding: "utf8",
    })
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
    const dir = privateDir("devs-nats-")
    const [port, clientPort] = await freePorts(2)
    const conf = join(dir, "nats.conf")
    let opts = { ...o }
    writeFileSync(conf, config(dir, clientPort, port, opts))
    const daemon = new Daemon({
        name: "nats-server",
        command: bin,
        args: ["-c", conf],
        ready: /Server is ready/,
        readyTimeoutMs: START_TIMEOUT_MS,
    })

    // MQTT answers once its JetStream assets exist: wait for a real CONNACK.
    const launch = () => startAnswering(daemon, port, "nats-server", { stopOnFailure: true })
    const close = await startInDir(dir, launch, () => daemon.stop())
    return {
        kind: "nats",
        url: `mqtt://127.0.0.1:${port}`,
        port,
        dir,
        version: /Version:\s+(\S+)/.exec(daemon.log)?.[1] ?? "",
        restart: async () => {
            await daemon.stop()
            await launch()
        },
        setUsers: async (users: NatsUser[]) => {
            opts = { ...opts, users }
            writeFileSync(conf, config(dir, clientPort, port, opts))
            await daemon.reload(/Reloaded server configuration/, START_TIMEOUT_MS, "config reload")
        },
        close,
    }
}
