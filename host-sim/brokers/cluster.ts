/**
 * A real 3-node broker cluster on free loopback ports (issue 12): what the
 * simulator, the cluster bench and the tests see, whatever the broker.
 *
 *   nats:N          nats-server nodes joined by routes, JetStream replicated,
 *                   the MQTT listener on every node            (nats-cluster.ts)
 *   rabbitmq:N      RabbitMQ nodes joined into one cluster, rabbitmq_mqtt on
 *                   every node                                  (rabbitmq-cluster.ts)
 *   aedes-redis:N   N aedes processes sharing state through mqemitter-redis
 *                   and aedes-persistence-redis on a private redis-server
 *                                                               (aedes-redis-cluster.ts)
 *
 * Each node can be killed (SIGKILL: a crash, a power cut) and started again
 * with the same ports and data; `close()` stops everything the cluster started.
 * A launcher states its nodes' daemons and how they come up; `clusterOf` owns
 * the rest of the cluster's lifetime.
 */
import { startAedesRedisCluster, aedesRedisUnavailable } from "./aedes-redis-cluster.ts"
import { startInDir, type Daemon } from "./daemon.ts"
import { startAnswering } from "./mqtt-probe.ts"
import { natsClusterUnavailable, startNatsCluster } from "./nats-cluster.ts"
import { rabbitClusterUnavailable, startRabbitCluster } from "./rabbitmq-cluster.ts"

export const CLUSTER_KINDS = ["nats", "rabbitmq", "aedes-redis"] as const
export type ClusterKind = (typeof CLUSTER_KINDS)[number]

export interface ClusterNode {
    /** "n1", "n2", ... */
    name: string
    /** The node's MQTT listener (plain MQTT on loopback). */
    port: number
    url: string
    running: boolean
    /** SIGKILL, no goodbye to the other nodes or the clients: a crash or a power cut. */
    kill(): Promise<void>
    /** Starts the node again on the same ports with the data it had; resolves once it answers MQTT. */
    start(): Promise<void>
    /** What the node's processes wrote so far, across restarts (tail-bounded): where a broker says why. */
    log(): string
}

export interface RunningCluster {
    kind: ClusterKind
    version: string
    /** Its private directory: every process it starts names it on its command line (`pgrep -f` finds them). */
    dir: string
    nodes: ClusterNode[]
    /** Every node's `host:port`, comma-separated: the devices' MQTT_HOSTS. */
    hosts: string
    /**
     * The longest the surviving nodes take to treat a killed node as dead and publish its clients'
     * Wills (aedes: missed heartbeats); 0 when they do it at once or never.
     */
    deadNodeAfterMs: number
    /** A site power cut: every broker process (and shared store) killed at once. */
    powerCut(): Promise<void>
    /** Power back: every process started again, together; resolves once every node answers MQTT. */
    powerOn(): Promise<void>
    /** Stops every process the cluster started and removes its directory. */
    close(): Promise<void>
}

export interface ClusterSpec {
    kind: ClusterKind
    nodes: number
}

/** Parses `nats:3`, `rabbitmq:3`, `aedes-redis:3` (the node count defaults to 3). */
export function parseClusterSpec(s: string): ClusterSpec {
    const m = /^([a-z-]+)(?::(\d+))?$/.exec(s)
    const kind = m?.[1] as ClusterKind | undefined
    if (!m || !kind || !CLUSTER_KINDS.includes(kind))
        throw new Error(`--broker-cluster is KIND[:NODES] with KIND one of ${CLUSTER_KINDS.join(", ")}, got '${s}'`)
    const nodes = m[2] === undefined ? 3 : Number(m[2])
    // One node is no cluster; more than 5 is more than this machine (2 cores) runs usefully.
    if (nodes < 2 || nodes > 5) throw new Error(`--broker-cluster ${kind}: 2 to 5 nodes, got ${nodes}`)
    return { kind, nodes }
}

/** null when this kind of cluster can run here, else why not (for a skip with its reason). */
export function clusterUnavailable(kind: ClusterKind): string | null {
    if (kind === "nats") return natsClusterUnavailable()
    if (kind === "rabbitmq") return rabbitClusterUnavailable()
    return aedesRedisUnavailable()
}

export function startCluster(spec: ClusterSpec): Promise<RunningCluster> {
    const why = clusterUnavailable(spec.kind)
    if (why) throw new Error(`${spec.kind} cluster unavailable: ${why} (npm run install-brokers)`)
    if (spec.kind === "nats") return startNatsCluster(spec.nodes)
    if (spec.kind === "rabbitmq") return startRabbitCluster(spec.nodes)
    return startAedesRedisCluster(spec.nodes)
}

/** Starts node i (0-based) and resolves once it answers MQTT, within `timeoutMs` (default: its daemon's). */
export type StartNode = (i: number, timeoutMs?: number) => Promise<void>

/** What differs between the cluster launchers; `clusterOf` does the rest. */
export interface ClusterParts {
    kind: ClusterKind
    /** The cluster's private directory (`privateDir`): removed by `close()`, or when the first start fails. */
    dir: string
    /** How a node's errors begin: "nats-server" gives "nats-server n2: ...". */
    label: string
    /** Each node's daemon (not started yet) and MQTT port, in node order. */
    nodes: { daemon: Daemon; port: number }[]
    /** A process every node needs (epmd, redis-server): started before the nodes, stopped after them. */
    shared?: Daemon
    /** How the nodes come up the first time, once `shared` runs (default: as in `powerOn`). */
    boot?: (startNode: StartNode) => Promise<void>
    /** How the nodes come up again after a power cut, once `shared` runs (default: all at once). */
    powerOn?: (startNode: StartNode) => Promise<void>
    /** The version string, read from the logs once the cluster is up. */
    version: () => string
    /** RunningCluster.deadNodeAfterMs (default 0). */
    deadNodeAfterMs?: number
}

/**
 * Starts the cluster (`shared`, then the nodes as `boot` says) and returns it; when that fails,
 * everything started is stopped and the directory removed before the error passes on.
 */
export async function clusterOf(p: ClusterParts): Promise<RunningCluster> {
    const daemons = p.nodes.map(n => n.daemon)
    const startNode: StartNode = (i, timeoutMs) =>
        startAnswering(daemons[i], p.nodes[i].port, `${p.label} n${i + 1}`, { timeoutMs })
    const allAtOnce = async (start: StartNode) => {
        await Promise.all(daemons.map((_, i) => start(i)))
    }
    const powerOn = p.powerOn ?? allAtOnce
    const startWith = (nodesUp: (start: StartNode) => Promise<void>) => async () => {
        await p.shared?.start()
        await nodesUp(startNode)
    }
    const stopAll = async () => {
        await Promise.all(daemons.map(d => d.stop()))
        await p.shared?.stop()
    }
    const close = await startInDir(p.dir, startWith(p.boot ?? powerOn), stopAll)
    const nodes: ClusterNode[] = p.nodes.map(({ daemon, port }, i) => ({
        name: `n${i + 1}`,
        port,
        url: `mqtt://127.0.0.1:${port}`,
        get running() {
            return daemon.running
        },
        kill: () => daemon.kill(),
        start: () => startNode(i),
        log: () => daemon.log,
    }))
    return {
        kind: p.kind,
        dir: p.dir,
        version: p.version(),
        nodes,
        // Every node's `host:port`, comma-separated (MQTT_HOSTS).
        hosts: nodes.map(n => `127.0.0.1:${n.port}`).join(","),
        deadNodeAfterMs: p.deadNodeAfterMs ?? 0,
        powerCut: async () => {
            await Promise.all([...daemons, ...(p.shared ? [p.shared] : [])].map(d => d.kill()))
        },
        powerOn: startWith(powerOn),
        close,
    }
}
