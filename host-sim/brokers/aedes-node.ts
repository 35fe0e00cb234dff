/**
 * One aedes node of the aedes-redis cluster, as its own process (so that it
 * can be killed like any broker): messages between nodes go through
 * mqemitter-redis, sessions, subscriptions, retained messages, QoS 1 queues
 * and Wills through aedes-persistence-redis, both on the cluster's private
 * redis-server. Run by aedes-redis-cluster.ts:
 *
 *   tsx host-sim/brokers/aedes-node.ts MQTT_PORT REDIS_PORT NODE_NAME HEARTBEAT_MS
 *
 * Prints "aedes node NAME ready on PORT" once it accepts connections.
 */
import { createServer, type Socket } from "node:net"
import { Aedes } from "aedes"
import redisPersistence from "aedes-persistence-redis"
import mqemitterRedis from "mqemitter-redis"

// HEARTBEAT_MS: how often the node tells the others it lives (aedes-redis-cluster.ts says why 2 s).
const [port, redisPort, name, heartbeatMs] = [
    Number(process.argv[2]),
    Number(process.argv[3]),
    process.argv[4] ?? "aedes",
    Number(process.argv[5]),
]
if (!(port > 0) || !(redisPort > 0) || !(heartbeatMs > 0)) {
    console.error("usage: aedes-node.ts MQTT_PORT REDIS_PORT NAME HEARTBEAT_MS")
    process.exit(2)
}
const redis = { host: "127.0.0.1", port: redisPort }
const aedes = await Aedes.createBroker({
    id: name,
    heartbeatInterval: heartbeatMs,
    mq: mqemitterRedis(redis),
    persistence: redisPersistence(redis),
})
const sockets = new Set<Socket>()
const server = createServer(sock => {
    sockets.add(sock)
    sock.on("close", () => sockets.delete(sock))
    aedes.handle(sock)
})
server.listen(port, "127.0.0.1", () => console.log(`aedes node ${name} ready on ${port}`))
// What goes wrong with a client (a delivery or a persistence call that failed) is the node's to say: the
// cluster keeps this output as the node's log (ClusterNode.log()), which the bench prints with a lost reading.
// A client that went away (closed, reset, broken pipe) is not news.
const GONE = /connection closed|ECONNRESET|EPIPE/
aedes.on("clientError", (client, e) => {
    if (!GONE.test(e.message)) console.error(`aedes node ${name}: client ${client?.id ?? "?"}: ${e.message}`)
})
server.on("error", e => {
    console.error(`aedes node ${name}: ${e.message}`)
    process.exit(1)
})
// SIGTERM: a clean stop (clients see their connection close; Wills are published by aedes as usual).
process.once("SIGTERM", () => {
    for (const s of sockets) s.destroy()
    server.close()
    aedes.close(() => process.exit(0))
})
