/**
 * A RabbitMQ cluster: N nodes (rabbitmq.ts's private node: its own directory,
 * ports and node name) sharing one private epmd and one Erlang cookie, joined
 * by classic-config peer discovery, with rabbitmq_mqtt on every node. The
 * first node boots alone; the others start on blank data, find it and join.
 * Membership is checked with `rabbitmqctl cluster_status`, not assumed.
 *
 * What RabbitMQ 3.10's MQTT plugin keeps per node (the cluster bench shows
 * it): retained messages are stored on the node that received them, and a
 * clean=0 session is a classic queue on the node where it was created.
 */
import { randomBytes } from "node:crypto"
import { appendFileSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { clusterOf, type RunningCluster } from "./cluster.ts"
import { privateDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { epmdDaemon, rabbitCtl, rabbitMqPath, rabbitNode, type RabbitNodeSpec } from "./rabbitmq.ts"

/**
 * After all nodes died at once each node waits for its peers' Mnesia tables (RabbitMQ retries
 * 10 × 30 s by default), and the MQTT plugin's client-id tracker (a Raft cluster) must elect a
 * leader before any CONNECT is accepted: a cluster-wide power-on can take minutes.
 */
const POWER_ON_TIMEOUT_MS = 300_000

export function rabbitClusterUnavailable(): string | null {
    return rabbitMqPath() ? null : "rabbitmq-server (with epmd) is not installed"
}

export async function startRabbitCluster(n: number): Promise<RunningCluster> {
    const dir = privateDir("devs-rabbit-cluster-")
    const [epmdPort, ...flat] = await freePorts(1 + 3 * n)
    const cookie = randomBytes(16).toString("hex").toUpperCase()
    const specs: RabbitNodeSpec[] = Array.from({ length: n }, (_, i) => {
        const nodeDir = join(dir, `n${i + 1}`)
        mkdirSync(nodeDir)
        return {
            dir: nodeDir,
            node: `devs${process.pid}n${i + 1}@localhost`,
            mqttPort: flat[3 * i],
            amqpPort: flat[3 * i + 1],
            distPort: flat[3 * i + 2],
            epmdPort,
            cookie,
        }
    })
    const epmd = epmdDaemon(epmdPort)
    const daemons = specs.map(s => {
        const d = rabbitNode(s)
        appendFileSync(
            join(s.dir, "rabbitmq.conf"),
            [
                "cluster_formation.peer_discovery_backend = classic_config",
                ...specs.map((p, j) => `cluster_formation.classic_config.nodes.${j + 1} = ${p.node}`),
            ].join("\n") + "\n",
        )
        return d
    })

    /** The nodes `rabbitmqctl cluster_status` on node i reports running. */
    async function runningNodes(i: number): Promise<string[]> {
        const r = await rabbitCtl(specs[i], ["cluster_status", "--formatter", "json"])
        if (r.code !== 0) throw new Error(`rabbitmqctl cluster_status failed (${r.code}): ${r.out.slice(-2000)}`)
        const status = JSON.parse(r.out.slice(r.out.indexOf("{"))) as {
            running_nodes?: string[]
        }
        return status.running_nodes ?? []
    }

    async function mustBeJoined(): Promise<void> {
        const running = await runningNodes(0)
        const missing = specs.filter(s => !running.includes(s.node)).map(s => s.node)
        if (missing.length)
            throw new Error(
                `rabbitmq cluster did not form: ${missing.join(", ")} not running in ${specs[0].node}'s cluster (${running.join(", ")})`,
            )
    }

    return clusterOf({
        kind: "rabbitmq",
        dir,
        label: "rabbitmq",
        nodes: specs.map((s, i) => ({ daemon: daemons[i], port: s.mqttPort })),
        shared: epmd,
        boot: async startNode => {
            // The first node forms the cluster; the others, on blank data, discover it and join.
            await startNode(0)
            await Promise.all(specs.slice(1).map((_, j) => startNode(j + 1)))
            await mustBeJoined()
        },
        powerOn: async startNode => {
            // Together, as after a power cut: each node waits for its peers' Mnesia tables.
            await Promise.all(specs.map((_, i) => startNode(i, POWER_ON_TIMEOUT_MS)))
            await mustBeJoined()
        },
        version: () => /Starting RabbitMQ (\S+)/.exec(daemons[0].log)?.[1] ?? "",
    })
}
