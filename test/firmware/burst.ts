/**
 * Test firmware: the production session publishing BURST_N QoS 1 messages as
 * fast as the in-flight window allows, with backpressure. Used by the burst
 * e2e test (the VM must not panic: the loop yields) and by the benchmark.
 */
import { readSetting } from "@devicescript/settings"
import { Session, SESSION_DEFAULTS, SessionOptions } from "../../firmware/mqtt/session"
import { LOG_INFO } from "../../firmware/mqtt/transport"
import { DsRuntime } from "../../firmware/net/runtime"
import { SocketTransport } from "../../firmware/net/socket-transport"
import { Waker } from "../../firmware/net/waker"
import * as ds from "@devicescript/core"

const host: string = await readSetting("MQTT_HOST", "127.0.0.1")
const port: number = await readSetting("MQTT_PORT", 1883)
const name: string = await readSetting("DEVICE_NAME", "burst")
const n: number = await readSetting("BURST_N", 1000)
const qos: number = await readSetting("BURST_QOS", 1)
/** 0: as fast as the window allows; otherwise one message every this many ms (steady rate). */
const periodMs: number = await readSetting("BURST_GAP_MS", 0)

const d = SESSION_DEFAULTS
const opts: SessionOptions = {
    host: host,
    port: port,
    tls: false,
    brokers: [],
    clientId: name,
    username: "",
    password: null,
    keepAliveS: 30,
    clean: true,
    will: null,
    birth: null,
    offlinePayload: null,
    maxInflight: await readSetting("MAX_INFLIGHT", d.maxInflight),
    queueMaxCount: d.queueMaxCount,
    queueMaxBytes: d.queueMaxBytes,
    windowBytes: d.windowBytes,
    maxPacketBytes: d.maxPacketBytes,
    maxInboundBytes: d.maxInboundBytes,
    connectTimeoutMs: d.connectTimeoutMs,
    ackTimeoutMs: d.ackTimeoutMs,
    stableMs: d.stableMs,
    retryBaseMs: await readSetting("RETRY_BASE_MS", 100),
    retryCapMs: await readSetting("RETRY_CAP_MS", 400),
}
const session = new Session(opts, new SocketTransport(), new DsRuntime(LOG_INFO), new Waker())
const supervisor = async () => {
    await session.run()
}
supervisor.start()
while (!session.isConnected()) await ds.sleep(10)

const topic = "devs/" + name + "/telemetry"
/** 1: publish the whole burst while the broker is unreachable (the test cuts it after "burst: connected"). */
const offline: number = await readSetting("BURST_OFFLINE", 0)
console.log("burst: connected")
if (offline) while (session.isConnected()) await ds.sleep(10)
const t0 = ds.millis()
for (let i = 1; i <= n; i++) {
    if (offline) {
        // No backpressure: the queue takes what it can and drops the oldest.
        if (i % 16 === 0) await ds.sleep(0)
    } else await session.waitForRoom(d.queueMaxCount)
    if (periodMs > 0) await ds.sleep(periodMs)
    session.publish(topic, Buffer.from(`{"seq":${i}}`), { qos: qos, retain: false, ttlMs: 0, replace: false })
}
if (offline) console.log(`burst queued: ${n} messages offline, drops ${JSON.stringify(session.stats.drops)}`)
while (session.outbox.count() > 0) await ds.sleep(10)
console.log(
    `burst done: ${n} messages in ${ds.millis() - t0} ms, acked ${session.stats.acked}, drops ${JSON.stringify(session.stats.drops)}`,
)
