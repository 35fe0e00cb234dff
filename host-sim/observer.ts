/**
 * An independent MQTT.js subscriber: what the broker actually received.
 */
import { EventEmitter } from "node:events"
import { readFileSync } from "node:fs"
import mqtt, { type MqttClient } from "mqtt"

export interface Observed {
    topic: string
    payload: Buffer
    retain: boolean
    qos: number
    atMs: number
}

export class Observer extends EventEmitter {
    readonly messages: Observed[] = []
    private client?: MqttClient

    constructor(
        private readonly url: string,
        private readonly filter: string,
        /** A fixed client id with clean=false keeps the subscription across broker restarts. */
        private readonly persistentId = "",
        /** For mqtts:// brokers signed by a test CA: the CA file. */
        private readonly tls: { ca?: string } = {}
    ) {
        super()
    }

    async start(timeoutMs = 5000): Promise<void> {
        const client = mqtt.connect(this.url, {
            reconnectPeriod: 200,
            connectTimeout: timeoutMs,
            clientId: this.persistentId || `observer-${process.pid}-${Date.now() % 100000}`,
            clean: !this.persistentId,
            ...(this.tls.ca ? { ca: readFileSync(this.tls.ca) } : {}),
        })
        this.client = client
        client.on("message", (topic, payload, packet) => {
            const m: Observed = { topic, payload, retain: packet.retain, qos: packet.qos, atMs: Date.now() }
            this.messages.push(m)
            this.emit("message", m)
        })
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => {
                client.end(true)
                reject(new Error(`cannot reach the broker at ${this.url} (no CONNACK within ${timeoutMs} ms)`))
            }, timeoutMs)
            client.once("connect", () => {
                clearTimeout(timer)
                client.subscribe(this.filter, { qos: 1 }, err => (err ? reject(err) : resolve()))
            })
        })
    }

    /** Resolves with the first message (already received or future) that satisfies `pred`. */
    waitFor(pred: (m: Observed) => boolean, timeoutMs: number, what = "message"): Promise<Observed> {
        const found = this.messages.find(pred)
        if (found) return Promise.resolve(found)
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.off("message", on)
                reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
            }, timeoutMs)
            const on = (m: Observed) => {
                if (!pred(m)) return
                clearTimeout(timer)
                this.off("message", on)
                resolve(m)
            }
            this.on("message", on)
        })
    }

    /** Publishes through the observer's own connection (downlink traffic towards a device). */
    async publish(topic: string, payload: Buffer | string, qos: 0 | 1 = 1): Promise<void> {
        if (!this.client) throw new Error("the observer is not started")
        await this.client.publishAsync(topic, payload, { qos })
    }

    async stop(): Promise<void> {
        const c = this.client
        if (c) await new Promise<void>(resolve => c.end(true, {}, () => resolve()))
    }
}
