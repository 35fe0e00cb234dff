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
import { hostsOf, type ClusterNode, type RunningCluster } from "./cluster.ts"
import { Daemon, privateDir, removeDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { waitForMqtt } from "./mqtt-probe.ts"
import { redisDaemon, redisPath } from "./redis.ts"

const START_TIMEOUT_MS = 30_000
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
                args: ["--import", "tsx", NODE_SCRIPT, String(p), String(redisPort), `n${i + 1}`],
                ready: /ready on/,
                readyTimeoutMs: START_TIMEOUT_MS,
            }),
    )

    async function startNode(i: number): Promise<void> {
        await daemons[i].start()
        try {
            await waitForMqtt(ports[i], START_TIMEOUT_MS, () => daemons[i].running)
        } catch (e) {
            throw new Error(`aedes n${i + 1}: ${(e as Error).message}\n${daemons[i].tail()}`)
        }
    }
    const startAll = async () => {
        await redis.start()
        await Promise.all(ports.map((_, i) => startNode(i)))
    }
    const stopAll = async () => {
        await Promise.all(daemons.map(d => d.stop()))
        await redis.stop()
    }

    try {
        await startAll()
    } catch (e) {
        await stopAll()
        removeDir(dir)
        throw e
    }
    const nodes: ClusterNode[] = ports.map((p, i) => ({
        name: `n${i + 1}`,
        port: p,
        url: `mqtt://127.0.0.1:${p}`,
        get running() {
            return daemons[i].running
        },
        kill: () => daemons[i].kill(),
        start: () => startNode(i),
    }))
    const version = /version=([^,\s]+)/.exec(redis.log)
    return {
        kind: "aedes-redis",
        dir,
        version: `aedes ${aedesVersion()}, redis ${version?.[1] ?? "?"}`,
        nodes,
        hosts: hostsOf(nodes),
        powerCut: async () => {
            await Promise.all([...daemons.map(d => d.kill()), redis.kill()])
        },
        powerOn: startAll,
        close: async () => {
            await stopAll()
            removeDir(dir)
        },
    }
}

function aedesVersion(): string {
    // aedes' "exports" hides its package.json from require.resolve.
    return (
        JSON.parse(readFileSync(new URL("../../node_modules/aedes/package.json", import.meta.url), "utf8")) as {
            version: string
        }
    ).version
}
