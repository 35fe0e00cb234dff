/**
 * A synthetic device: an MQTT.js client that keeps the firmware's contract on the wire, without its
 * VM — for putting thousands of connections on a broker beside the real-bytecode devices. What it
 * shares with firmware/main.ts, taken from the firmware's own modules where they are portable:
 *
 * - client id = device name, clean session off, keepalive 30 s;
 * - Will `<prefix>/<name>/status` = `offline`, QoS 1, retained; birth `online`, QoS 1, retained, after
 *   every CONNACK; a planned stop publishes `offline` and DISCONNECTs (no Will);
 * - telemetry QoS 1 every period: the firmware's payload (buildPayload: `boot`, `seq` from 1 per boot,
 *   `uptime_ms`, temperature/humidity/pressure from the simulator's signal models);
 * - diagnostics QoS 1 with the drop counters the loss ledger reads (host-sim/ledger/ledger.ts);
 * - the period downlink `<prefix>/<name>/set/period_ms` (QoS 1), validated as the firmware does.
 *
 * What it does not do (and says so): no Home Assistant discovery, no time sync (no `ts`), and the
 * offline queue is MQTT.js's (unbounded, so `readings_dropped` stays empty); reconnects wait a fixed
 * period drawn once per device, where the firmware draws a jittered backoff each time.
 */
import { randomBytes } from "node:crypto"
import mqtt, { type IClientOptions, type MqttClient } from "mqtt"
import type { ConnectionOptions } from "node:tls"
import type { BrokerTarget } from "../link/broker-connect.ts"
import { parsePeriodCommand } from "../../firmware/telemetry/downlink.ts"
import { buildPayload } from "../../firmware/telemetry/payload.ts"
import { STATUS_OFFLINE, STATUS_ONLINE, topicsFor, type Topics } from "../../firmware/telemetry/topics.ts"
import { MODELS, SmoothSignal, prng } from "../sensors/models.ts"

export const SYNTHETIC_DEFAULTS = {
    keepaliveS: 30,
    diagEveryMs: 60_000,
    reconnectMinMs: 1000,
    reconnectMaxMs: 5000,
    connectTimeoutMs: 30_000,
}

const QUANTITIES = ["temperature", "humidity", "pressure"]

export interface SyntheticOptions {
    target: BrokerTarget
    name: string
    prefix: string
    periodMs: number
    seed: number
    diagEveryMs?: number
    /** broker-connect.ts tlsOptions(target), computed once for the whole fleet (it reads the CA file). */
    tls?: ConnectionOptions
}

export interface SyntheticCounts {
    connects: number
    published: number
    acked: number
}

export class SyntheticDevice {
    readonly topics: Topics
    readonly boot = randomBytes(6).toString("hex")
    readonly counts: SyntheticCounts = { connects: 0, published: 0, acked: 0 }
    private client?: MqttClient
    private periodMs: number
    private seq = 0
    private readonly t0 = Date.now()
    private readonly signals: SmoothSignal[]
    private timer?: NodeJS.Timeout
    private diagTimer?: NodeJS.Timeout

    constructor(private readonly o: SyntheticOptions) {
        this.topics = topicsFor(o.prefix, o.name)
        this.periodMs = o.periodMs
        this.signals = QUANTITIES.map((q, i) => new SmoothSignal(MODELS[q], o.seed * 31 + i))
    }

    get connected(): boolean {
        return this.client?.connected ?? false
    }

    /** Connects (the first reading waits for the first CONNACK, as the firmware's first publish does). */
    start(): void {
        const t = this.o.target
        const rand = prng(this.o.seed)
        const d = SYNTHETIC_DEFAULTS
        const client = mqtt.connect({
            protocol: t.tls ? "mqtts" : "mqtt",
            host: t.host.replace(/^\[|\]$/g, ""),
            port: t.port,
            ...((t.tls ? this.o.tls : {}) as IClientOptions),
            protocolVersion: 4,
            clientId: this.o.name,
            clean: false,
            keepalive: d.keepaliveS,
            ...(t.username ? { username: t.username } : {}),
            ...(t.password ? { password: t.password } : {}),
            will: { topic: this.topics.status, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
            // Drawn once per device so that a fleet does not reconnect in lockstep.
            reconnectPeriod: d.reconnectMinMs + Math.floor(rand() * (d.reconnectMaxMs - d.reconnectMinMs)),
            connectTimeout: d.connectTimeoutMs,
        })
        this.client = client
        client.on("error", () => {})
        client.on("connect", ack => {
            this.counts.connects++
            client.publish(this.topics.status, STATUS_ONLINE, { qos: 1, retain: true })
            if (!ack.sessionPresent) client.subscribe(this.topics.setPeriod, { qos: 1 })
            if (!this.timer) this.schedule()
        })
        client.on("message", (topic, payload) => {
            if (topic === this.topics.setPeriod) this.setPeriod(payload.toString())
        })
        this.diagTimer = setInterval(() => this.diagnostics(), this.o.diagEveryMs ?? d.diagEveryMs)
    }

    /** A planned stop: `offline` retained, then DISCONNECT, so the broker does not publish the Will. */
    async stop(): Promise<void> {
        clearTimeout(this.timer)
        clearInterval(this.diagTimer)
        const c = this.client
        if (!c) return
        if (c.connected)
            await c.publishAsync(this.topics.status, STATUS_OFFLINE, { qos: 1, retain: true }).catch(() => undefined)
        await c.endAsync().catch(() => undefined)
    }

    private schedule() {
        this.timer = setTimeout(() => {
            this.publishReading()
            this.schedule()
        }, this.periodMs)
    }

    private publishReading() {
        const tS = (Date.now() - this.t0) / 1000
        const values: Record<string, number> = {}
        QUANTITIES.forEach((q, i) => (values[q] = Math.round(this.signals[i].at(tS) * 100) / 100))
        const p = buildPayload(this.boot, ++this.seq, NaN, Date.now() - this.t0, values, [])
        this.counts.published++
        // QoS 1 while offline: MQTT.js queues it and sends it after the reconnect.
        this.client!.publish(this.topics.telemetry, JSON.stringify(p), { qos: 1 }, err => {
            if (!err) this.counts.acked++
        })
    }

    private diagnostics() {
        if (!this.client?.connected) return
        const c = this.counts
        const d = {
            fw: "synthetic",
            boot: this.boot,
            uptime_ms: Date.now() - this.t0,
            mqtt: {
                connects: c.connects,
                reconnects: Math.max(0, c.connects - 1),
                published: c.published,
                acked: c.acked,
                readings_dropped: {},
            },
        }
        this.client.publish(this.topics.diagnostics, JSON.stringify(d), { qos: 1 })
    }

    /** The firmware's own validation and answer (firmware/telemetry/downlink.ts, period-downlink.ts). */
    private setPeriod(text: string) {
        const cmd = parsePeriodCommand(text)
        if (cmd.ok) this.periodMs = cmd.periodMs
        this.client?.publish(this.topics.log, JSON.stringify({ level: cmd.ok ? "info" : "error", msg: cmd.message }), {
            qos: 1,
        })
    }
}
