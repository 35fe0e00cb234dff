/**
 * The aedes cluster: N aedes processes (aedes-node.ts) on free loopback ports
 * sharing one private redis-server, messages through mqemitter-redis and all
 * state through aedes-persistence-redis. The nodes are stateless; the site's
 * state is Redis, which is a single process here (as in aedes' own docs): a
 * node can die, Redis must not.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { clusterOf, type RunningCluster } from "./cluster.ts"
import { Daemon, privateDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { redisDaemon, redisPath } from "./redis.ts"

const START_TIMEOUT_MS = 30_000
/**
 * aedes publishes the Wills of a node's clients from another node only after 3 missed heartbeats
 * (checked every 4 intervals: aedes.js `_clearWills`); its default of 60 s would leave a dead node's
 * devices "online" for 3-4 minutes.
 */
const HEARTBEAT_MS = 2000
/** A node killed just after its heartbeat is declared dead by the check after 3 missed ones: 3 + 4 intervals. */
const DEAD_NODE_AFTER_MS = 7 * HEARTBEAT_MS
const NODE_SCRIPT = join(import.meta.dirname, "aedes-node.ts")

export function aedesRedisUnavailable(): string | null {
    if (!redisPath()) return "redis-server is not installed"
    const require = createRequire(import.meta.url)
    for (const m of ["mqemitter-redis", "aedes-persistence-redis"]) {
        try {
            require.resolve(m)
        } catch {
            return `the npm package ${m} is not installed (npm install)`
        }
    }
    return null
}

export async function startAedesRedisCluster(n: number): Promise<RunningCluster> {
    const dir = privateDir("devs-aedes-redis-")
    const [redisPort, ...ports] = await freePorts(n + 1)
    const redis = redisDaemon(redisPort, dir)
    const daemons = ports.map(
        (p, i) =>
            new Daemon({
                name: `aedes n${i + 1}`,
                command: process.execPath,
                args: ["--import", "tsx", NODE_SCRIPT, String(p), String(redisPort), `n${i + 1}`, String(HEARTBEAT_MS)],
                ready: /ready on/,
                readyTimeoutMs: START_TIMEOUT_MS,
            }),
    )

    return clusterOf({
        kind: "aedes-redis",
        dir,
        label: "aedes",
        nodes: ports.map((port, i) => ({ daemon: daemons[i], port })),
        shared: redis,
        deadNodeAfterMs: DEAD_NODE_AFTER_MS,
        version: () => `aedes ${aedesVersion()}, redis ${/version=([^,\s]+)/.exec(redis.log)?.[1] ?? "?"}`,
    })
}

function aedesVersion(): string {
    // aedes' "exports" hides its package.json from require.resolve.
    return (
        JSON.parse(readFileSync(new URL("../../node_modules/aedes/package.json", import.meta.url), "utf8")) as {
            version: string
        }
    ).version
}
