/**
 * A NATS cluster: N nats-server nodes on free loopback ports, joined by
 * routes, with JetStream clustered and the MQTT listener on every node. MQTT
 * state lives in JetStream streams (sessions, retained messages, QoS 1
 * messages), created with `stream_replicas: N` so that they survive the loss
 * of a minority of nodes; a client may reconnect to any node and find its
 * session.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { clusterOf, type RunningCluster } from "./cluster.ts"
import { Daemon, privateDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { natsPath } from "./nats.ts"

/** A node is ready when it has joined its routes; its MQTT layer waits for the JetStream meta leader. */
const START_TIMEOUT_MS = 60_000
const JS_MAX_MEM = "64MB"
const JS_MAX_FILE = "256MB"

export function natsClusterUnavailable(): string | null {
    return natsPath() ? null : "nats-server is not installed"
}

interface NodePorts {
    client: number
    route: number
    mqtt: number
}

function config(name: string, dir: string, me: NodePorts, all: NodePorts[], replicas: number): string {
    const q = JSON.stringify
    return (
        [
            `server_name: ${q(name)}`,
            // Never the default 4222 / 6222: a system NATS may already listen there.
            `listen: ${q(`127.0.0.1:${me.client}`)}`,
            `jetstream { store_dir: ${q(join(dir, "js"))}, max_mem: ${JS_MAX_MEM}, max_file: ${JS_MAX_FILE} }`,
            // Every node lists every route (its own is ignored): any node can start first or come back alone.
            `cluster { name: "devs", listen: ${q(`127.0.0.1:${me.route}`)}, routes: [ ${all.map(p => q(`nats-route://127.0.0.1:${p.route}`)).join(", ")} ] }`,
            `mqtt { listen: ${q(`127.0.0.1:${me.mqtt}`)}, stream_replicas: ${replicas} }`,
        ].join("\n") + "\n"
    )
}

export async function startNatsCluster(n: number): Promise<RunningCluster> {
    const bin = natsPath()!
    const dir = privateDir("devs-nats-cluster-")
    const flat = await freePorts(3 * n)
    const ports: NodePorts[] = Array.from({ length: n }, (_, i) => ({
        client: flat[3 * i],
        route: flat[3 * i + 1],
        mqtt: flat[3 * i + 2],
    }))
    const daemons = ports.map((p, i) => {
        const name = `n${i + 1}`
        const conf = join(dir, `${name}.conf`)
        writeFileSync(conf, config(name, join(dir, name), p, ports, n))
        return new Daemon({
            name: `nats-server ${name}`,
            command: bin,
            args: ["-c", conf],
            ready: /Server is ready/,
            readyTimeoutMs: START_TIMEOUT_MS,
        })
    })

    return clusterOf({
        kind: "nats",
        dir,
        label: "nats-server",
        nodes: ports.map((p, i) => ({ daemon: daemons[i], port: p.mqtt })),
        // No `boot`: every start is all nodes together, as a node's MQTT layer needs a JetStream quorum
        // to create its replicated streams (it answers MQTT once JetStream has a meta leader).
        version: () => /Version:\s+(\S+)/.exec(daemons[0].log)?.[1] ?? "",
    })
}
