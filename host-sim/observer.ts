/**
 * An independent MQTT.js subscriber: what the broker actually received. It
 * connects through broker-connect.ts, so it logs in with the same credentials
 * and trusts the same CAs as everything else on the host side, and a refusal
 * is one clear BrokerConnectError.
 */
import { EventEmitter } from "node:events"
import type { MqttClient } from "mqtt"
import { brokerTarget, connectBroker, type BrokerTarget, type Login } from "./broker-connect.ts"

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
    readonly target: BrokerTarget

    constructor(
        /** A BrokerTarget, or a broker URL plus `login`. */
        target: BrokerTarget | string,
        private readonly filter: string,
        /** A fixed client id with clean=false keeps the subscription across broker restarts. */
        private readonly persistentId = "",
        login: Login = {}
    ) {
        super()
        this.target = typeof target === "string" ? brokerTarget(target, login) : target
    }

    /** Rejects with a BrokerConnectError when the broker cannot be reached or refuses the login. */
    async start(timeoutMs = 5000): Promise<void> {
        const client = await connectBroker(this.target, {
            clientId: this.persistentId || `observer-${process.pid}-${Date.now() % 100000}`,
            clean: !this.persistentId,
            timeoutMs,
            // After the first connection: back within 200 ms of a broker restart (the fault tests restart brokers).
            reconnectPeriodMs: 200,
            setup: c =>
                c.on("message", (topic, payload, packet) => {
                    const m: Observed = { topic, payload, retain: packet.retain, qos: packet.qos, atMs: Date.now() }
                    this.messages.push(m)
                    this.emit("message", m)
                }),
        })
        this.client = client
        await client.subscribeAsync(this.filter, { qos: 1 })
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
