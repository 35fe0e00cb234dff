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
import { hostsOf, type ClusterNode, type RunningCluster } from "./cluster.ts"
import { Daemon, privateDir, removeDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"
import { waitForMqtt } from "./mqtt-probe.ts"
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

    async function startNode(i: number): Promise<void> {
        await daemons[i].start()
        try {
            // MQTT answers once JetStream has a meta leader and the node's MQTT streams exist.
            await waitForMqtt(ports[i].mqtt, START_TIMEOUT_MS, () => daemons[i].running)
        } catch (e) {
            throw new Error(`nats-server n${i + 1}: ${(e as Error).message}\n${daemons[i].tail()}`)
        }
    }
    const startAll = () => Promise.all(ports.map((_, i) => startNode(i)))
    const stopAll = () => Promise.all(daemons.map(d => d.stop()))

    try {
        // Together: a node's MQTT layer needs a JetStream quorum to create its replicated streams.
        await startAll()
    } catch (e) {
        await stopAll()
        removeDir(dir)
        throw e
    }
    const nodes: ClusterNode[] = ports.map((p, i) => ({
        name: `n${i + 1}`,
        port: p.mqtt,
        url: `mqtt://127.0.0.1:${p.mqtt}`,
        get running() {
            return daemons[i].running
        },
        kill: () => daemons[i].kill(),
        start: () => startNode(i),
    }))
    return {
        kind: "nats",
        dir,
        version: /Version:\s+(\S+)/.exec(daemons[0].log)?.[1] ?? "",
        nodes,
        hosts: hostsOf(nodes.map(x => ({ port: x.port }))),
        powerCut: async () => {
            await Promise.all(daemons.map(d => d.kill()))
        },
        powerOn: async () => {
            await startAll()
        },
        close: async () => {
            await stopAll()
            removeDir(dir)
        },
    }
}
