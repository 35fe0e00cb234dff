/**
 * Composition root: config -> sensors -> MQTT session -> telemetry publisher.
 */
import * as ds from "@devicescript/core"
import { describeConfig, readConfig } from "./config"
import { tlsConfigError } from "./platform"
import { Session, SESSION_DEFAULTS, SessionOptions } from "./mqtt/session"
import { LOG_INFO } from "./mqtt/transport"
import { DsRuntime } from "./net/runtime"
import { DsSignal, SocketTransport } from "./net/socket-transport"
import { builtinSensors } from "./sensors/jacdac-sensor"
import { TelemetryPublisher } from "./telemetry/publisher"
import { STATUS_OFFLINE, STATUS_ONLINE, topicsFor } from "./telemetry/topics"

const cfg = await readConfig()
console.log("config: " + describeConfig(cfg))
const tlsError = tlsConfigError(cfg.tls, ds._dcfgString("archId"))
if (tlsError) {
    // Fail fast and say why, instead of a loop of failing TLS connects.
    console.error("config: " + tlsError)
    await ds.sleep(1e9)
}
const topics = topicsFor(cfg.prefix, cfg.deviceName)

const d = SESSION_DEFAULTS
const opts: SessionOptions = {
    host: cfg.host,
    port: cfg.port,
    tls: cfg.tls,
    clientId: cfg.deviceName,
    username: cfg.username,
    password: cfg.password ? Buffer.from(cfg.password) : null,
    keepAliveS: cfg.keepAliveS,
    clean: false,
    will: { topic: topics.status, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
    birth: { topic: topics.status, payload: Buffer.from(STATUS_ONLINE), retain: true },
    offlinePayload: Buffer.from(STATUS_OFFLINE),
    maxInflight: cfg.maxInflight,
    queueMaxCount: cfg.queueMax,
    queueMaxBytes: cfg.queueBytes,
    maxPacketBytes: d.maxPacketBytes,
    connectTimeoutMs: d.connectTimeoutMs,
    stableMs: d.stableMs,
    retryBaseMs: cfg.retryBaseMs,
    retryCapMs: cfg.retryCapMs,
}
const session = new Session(opts, new SocketTransport(), new DsRuntime(LOG_INFO), new DsSignal())
const supervisor = async () => {
    await session.run()
}
supervisor.start()

const publisher = new TelemetryPublisher(session, builtinSensors(), topics.telemetry, cfg.periodMs)
await publisher.run()
