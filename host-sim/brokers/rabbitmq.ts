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
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningBroker } from "./broker.ts"
import { Daemon, privateDir, startInDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { startAnswering } from "./mqtt-probe.ts"

export const RABBIT_DIR = "/usr/lib/rabbitmq/bin"
const EPMD_CANDIDATES = ["/usr/bin/epmd", "/usr/lib/erlang/bin/epmd"]
/** Boot is ~5-10 s here (Mnesia, then the MQTT plugin's Raft leader election). */
export const RABBIT_START_TIMEOUT_MS = 90_000
const STOP_TIMEOUT_MS = 30_000

export interface RunningRabbitMq extends RunningBroker {
    dir: string
    version: string
    /** Creates a user with full permissions on the default vhost. */
    addUser(user: string, password: string): Promise<void>
}

export function rabbitMqPath(): string | null {
    const p = join(RABBIT_DIR, "rabbitmq-server")
    return existsSync(p) && epmdPath() ? p : null
}

function epmdPath(): string | null {
    for (const p of EPMD_CANDIDATES) if (existsSync(p)) return p
    const r = spawnSync("sh", ["-c", "command -v epmd"], { encoding: "utf8" })
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
}

/**
 * Our own epmd in the foreground on a free port: nodes register there instead
 * of starting a daemon epmd that would outlive us (or using the system's on 4369).
 */
export function epmdDaemon(port: number): Daemon {
    const bin = epmdPath()
    if (!bin) throw new Error("epmd is not installed (Debian: apt-get install rabbitmq-server)")
    return new Daemon({
        name: "epmd",
        command: bin,
        args: ["-port", String(port), "-address", "127.0.0.1", "-d"],
        ready: /epmd running/,
        readyTimeoutMs: 10_000,
    })
}

export interface RabbitNodeSpec {
    /** The node's private directory (Mnesia, logs, config, HOME with the Erlang cookie). */
    dir: string
    /** Erlang node name, unique on the machine: `name@localhost`. */
    node: string
    mqttPort: number
    amqpPort: number
    distPort: number
    epmdPort: number
    /** A cluster's nodes share one cookie; a single node gets a random one from Erlang. */
    cookie?: string
}

/** The environment that confines a node to its directory and ports (and away from /etc/rabbitmq). */
export function rabbitEnv(s: RabbitNodeSpec): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: join(s.dir, "home"),
        ERL_EPMD_PORT: String(s.epmdPort),
        ERL_EPMD_ADDRESS: "127.0.0.1",
        RABBITMQ_CONF_ENV_FILE: join(s.dir, "rabbitmq-env.conf"),
        RABBITMQ_NODENAME: s.node,
        RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
        RABBITMQ_NODE_PORT: String(s.amqpPort),
        RABBITMQ_DIST_PORT: String(s.distPort),
        RABBITMQ_MNESIA_BASE: join(s.dir, "mnesia"),
        RABBITMQ_LOG_BASE: join(s.dir, "log"),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(s.dir, "enabled_plugins"),
        RABBITMQ_CONFIG_FILE: join(s.dir, "rabbitmq.conf"),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(s.dir, "advanced.config"),
        RABBITMQ_LOGS: "-",
    }
    delete env.ERL_FLAGS
    delete env.RABBITMQ_SERVER_ERL_ARGS
    return env
}

/** Writes the node's files and returns its daemon (not started). */
export function rabbitNode(s: RabbitNodeSpec): Daemon {
    const server = rabbitMqPath()
    if (!server) throw new Error("rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)")
    for (const d of ["home", "mnesia", "log"]) mkdirSync(join(s.dir, d), { recursive: true })
    if (s.cookie)
        writeFileSync(join(s.dir, "home", ".erlang.cookie"), s.cookie, {
            mode: 0o400,
        })
    writeFileSync(join(s.dir, "enabled_plugins"), "[rabbitmq_mqtt].\n")
    writeFileSync(
        join(s.dir, "rabbitmq.conf"),
        [
            `mqtt.listeners.tcp.default = 127.0.0.1:${s.mqttPort}`,
            "mqtt.allow_anonymous = true",
            "mqtt.default_user = guest",
            "mqtt.default_pass = guest",
            "mqtt.vhost = /",
            "mqtt.exchange = amq.topic",
            // The guest user may log in from loopback only by default; we are on loopback anyway.
            "loopback_users = none",
        ].join("\n") + "\n",
    )
    // An empty env file replaces /etc/rabbitmq/rabbitmq-env.conf (which names the system node).
    writeFileSync(join(s.dir, "rabbitmq-env.conf"), "")
    return new Daemon({
        name: `rabbitmq ${s.node}`,
        command: server,
        env: rabbitEnv(s),
        cwd: s.dir,
        ready: /Server startup complete/,
        readyTimeoutMs: RABBIT_START_TIMEOUT_MS,
        stopGraceMs: STOP_TIMEOUT_MS,
    })
}

/** `rabbitmqctl -n node ARGS` with the node's environment (cookie, epmd port). */
export function rabbitCtl(s: RabbitNodeSpec, args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise(resolve => {
        const c = spawn(join(RABBIT_DIR, "rabbitmqctl"), ["-n", s.node, ...args], {
            env: rabbitEnv(s),
            stdio: ["ignore", "pipe", "pipe"],
        })
        let out = ""
        c.stdout!.on("data", d => (out += d))
        c.stderr!.on("data", d => (out += d))
        c.once("exit", code => resolve({ code, out }))
    })
}

export async function startRabbitMq(): Promise<RunningRabbitMq> {
    if (!rabbitMqPath()) throw new Error("rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)")
    const dir = privateDir("devs-rabbitmq-")
    const [mqttPort, amqpPort, distPort, epmdPort] = await freePorts(4)
    const spec: RabbitNodeSpec = {
        dir,
        node: `devs${process.pid}x${mqttPort}@localhost`,
        mqttPort,
        amqpPort,
        distPort,
        epmdPort,
    }
    const epmd = epmdDaemon(epmdPort)
    const node = rabbitNode(spec)

    const launch = () => startAnswering(node, mqttPort, "rabbitmq", { stopOnFailure: true })
    const close = await startInDir(
        dir,
        async () => {
            await epmd.start()
            await launch()
        },
        async () => {
            await node.stop()
            await epmd.stop()
        },
    )
    return {
        kind: "rabbitmq",
        url: `mqtt://127.0.0.1:${mqttPort}`,
        port: mqttPort,
        dir,
        version: /Starting RabbitMQ (\S+)/.exec(node.log)?.[1] ?? "",
        restart: async () => {
            await node.stop()
            await launch()
        },
        addUser: async (user: string, password: string) => {
            for (const args of [
                ["add_user", user, password],
                ["set_permissions", "-p", "/", user, ".*", ".*", ".*"],
            ]) {
                const r = await rabbitCtl(spec, args)
                // rabbitmqctl echoes its arguments on failure: never show the password.
                if (r.code !== 0)
                    throw new Error(`rabbitmqctl ${args[0]} failed (${r.code}): ${r.out.split(password).join("***")}`)
            }
        },
        close,
    }
}
