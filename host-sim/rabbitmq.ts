/**
 * A private RabbitMQ node (Debian package `rabbitmq-server`) with the
 * `rabbitmq_mqtt` plugin on a free loopback port. Everything the node owns is
 * in a temp dir (Mnesia, logs, plugins file, config, Erlang cookie) and its
 * ports are all free ones: AMQP, Erlang distribution and a private `epmd`,
 * so a system RabbitMQ (5672/25672, epmd 4369) is never used or stopped.
 *
 * Clients without credentials log in as `guest` (`mqtt.allow_anonymous`).
 * MQTT sessions with clean=0 are durable queues and QoS 1 messages are
 * persistent, so `restart()` (same ports, same Mnesia dir) keeps them.
 * `addUser()` goes through `rabbitmqctl` against this node only.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { RunningBroker } from "./broker.ts"
import { freePort } from "./mosquitto.ts"
import { waitForMqtt } from "./mqtt-probe.ts"

const RABBIT_DIR = "/usr/lib/rabbitmq/bin"
const EPMD_CANDIDATES = ["/usr/bin/epmd", "/usr/lib/erlang/bin/epmd"]
/** Boot is ~5-10 s here (Mnesia, then the MQTT plugin's Raft leader election). */
const START_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 30_000

export interface RunningRabbitMq extends RunningBroker {
    dir: string
    version: string
    /** Creates a user with full permissions on the default vhost. */
    addUser(user: string, password: string): Promise<void>
}

export function rabbitMqPath(): string | null {
    const p = join(RABBIT_DIR, "rabbitmq-server")
    return existsSync(p) ? p : null
}

function epmdPath(): string | null {
    for (const p of EPMD_CANDIDATES) if (existsSync(p)) return p
    const r = spawnSync("sh", ["-c", "command -v epmd"], { encoding: "utf8" })
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
}

/** Resolves once something accepts TCP connections on the port (a just-spawned daemon). */
async function tcpOpen(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
        if (!alive()) throw new Error("the process exited")
        const ok = await new Promise<boolean>(resolve => {
            const s = connect({ host: "127.0.0.1", port })
            s.once("connect", () => {
                s.destroy()
                resolve(true)
            })
            s.once("error", () => resolve(false))
        })
        if (ok) return
        await new Promise(r => setTimeout(r, 20))
    }
    throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`)
}

function exited(c: ChildProcess): boolean {
    return c.exitCode !== null || c.signalCode !== null
}

export async function startRabbitMq(): Promise<RunningRabbitMq> {
    const server = rabbitMqPath()
    const epmd = epmdPath()
    if (!server || !epmd) throw new Error("rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)")
    const dir = mkdtempSync(join(tmpdir(), "devs-rabbitmq-"))
    for (const d of ["home", "mnesia", "log"]) mkdirSync(join(dir, d))
    const [port, amqpPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
    const node = `devs${process.pid}x${port}@localhost`
    writeFileSync(join(dir, "enabled_plugins"), "[rabbitmq_mqtt].\n")
    writeFileSync(
        join(dir, "rabbitmq.conf"),
        [
            `mqtt.listeners.tcp.default = 127.0.0.1:${port}`,
            "mqtt.allow_anonymous = true",
            "mqtt.default_user = guest",
            "mqtt.default_pass = guest",
            "mqtt.vhost = /",
            "mqtt.exchange = amq.topic",
            // The guest user may log in from loopback only by default; we are on loopback anyway.
            "loopback_users = none",
        ].join("\n") + "\n"
    )
    // An empty env file replaces /etc/rabbitmq/rabbitmq-env.conf (which names the system node).
    writeFileSync(join(dir, "rabbitmq-env.conf"), "")
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: join(dir, "home"),
        ERL_EPMD_PORT: String(epmdPort),
        ERL_EPMD_ADDRESS: "127.0.0.1",
        RABBITMQ_CONF_ENV_FILE: join(dir, "rabbitmq-env.conf"),
        RABBITMQ_NODENAME: node,
        RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
        RABBITMQ_NODE_PORT: String(amqpPort),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
        RABBITMQ_LOG_BASE: join(dir, "log"),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
        RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
        RABBITMQ_LOGS: "-",
    }
    delete env.ERL_FLAGS
    delete env.RABBITMQ_SERVER_ERL_ARGS

    // Our own epmd in the foreground: the node registers there instead of starting a daemon that would outlive us.
    const epmdChild = spawn(epmd, ["-port", String(epmdPort), "-address", "127.0.0.1"], { stdio: "ignore" })
    let child: ChildProcess | undefined
    let log = ""
    let version = ""

    async function stopEpmd() {
        if (exited(epmdChild)) return
        const gone = new Promise(resolve => epmdChild.once("exit", resolve))
        epmdChild.kill("SIGTERM")
        await gone
    }

    async function launch(): Promise<void> {
        const from = log.length
        // Its own process group: the shell wrapper, beam.smp and the helpers beam spawns.
        const c = spawn(server!, [], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true })
        child = c
        const onData = (d: Buffer) => {
            log += d
            if (log.length > 400_000) log = log.slice(-200_000)
        }
        c.stdout!.on("data", onData)
        c.stderr!.on("data", onData)
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => done(new Error(`no 'Server startup complete' within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
            const check = () => {
                if (/Server startup complete/.test(log.slice(from))) done()
            }
            const onExit = (code: number | null) => done(new Error(`exited with ${code}`))
            const done = (e?: Error) => {
                clearTimeout(timer)
                c.stdout!.off("data", check)
                c.off("exit", onExit)
                if (e) reject(new Error(`rabbitmq did not start: ${e.message}\n${log.slice(from).slice(-4000)}`))
                else resolve()
            }
            c.stdout!.on("data", check)
            c.once("exit", onExit)
        })
        version = /Starting RabbitMQ (\S+)/.exec(log.slice(from))?.[1] ?? version
        await waitForMqtt(port, START_TIMEOUT_MS, () => !exited(c))
    }

    /** SIGTERM to the wrapper stops the node cleanly; anything left in its process group is then killed. */
    async function halt() {
        const c = child
        if (!c) return
        if (!exited(c)) {
            const gone = new Promise(resolve => c.once("exit", resolve))
            c.kill("SIGTERM")
            const timer = setTimeout(() => killGroup(c, "SIGKILL"), STOP_TIMEOUT_MS)
            await gone
            clearTimeout(timer)
        }
        killGroup(c, "SIGKILL")
        child = undefined
    }

    // If the test process dies without close(), the node and its epmd must not outlive it.
    const onExit = () => {
        if (child) killGroup(child, "SIGKILL")
        epmdChild.kill("SIGKILL")
    }
    process.once("exit", onExit)
    try {
        await tcpOpen(epmdPort, 10_000, () => !exited(epmdChild))
        await launch()
    } catch (e) {
        await halt()
        await stopEpmd()
        process.off("exit", onExit)
        rmSync(dir, { recursive: true, force: true })
        throw e
    }
    return {
        kind: "rabbitmq",
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
        addUser: async (user: string, password: string) => {
            const ctl = join(RABBIT_DIR, "rabbitmqctl")
            for (const args of [
                ["add_user", user, password],
                ["set_permissions", "-p", "/", user, ".*", ".*", ".*"],
            ]) {
                const r = await run(ctl, ["-n", node, ...args], env)
                // rabbitmqctl echoes its arguments on failure: never show the password.
                if (r.code !== 0) throw new Error(`rabbitmqctl ${args[0]} failed (${r.code}): ${r.out.split(password).join("***")}`)
            }
        },
        close: async () => {
            await halt()
            await stopEpmd()
            process.off("exit", onExit)
            rmSync(dir, { recursive: true, force: true })
        },
    }
}

function killGroup(c: ChildProcess, signal: NodeJS.Signals) {
    if (!c.pid) return
    try {
        process.kill(-c.pid, signal)
    } catch {
        // The group is already gone.
    }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
    return new Promise(resolve => {
        const c = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] })
        let out = ""
        c.stdout!.on("data", d => (out += d))
        c.stderr!.on("data", d => (out += d))
        c.once("exit", code => resolve({ code, out }))
    })
}
