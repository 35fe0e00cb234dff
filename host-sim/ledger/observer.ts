/**
 * An independent MQTT.js subscriber: what the broker actually received. It
 * connects through broker-connect.ts, so it logs in with the same credentials
 * and trusts the same CAs as everything else on the host side, and a refusal
 * is one clear BrokerConnectError. It records its own disconnects as holes in
 * its observation (issue 23): what a device sent while the observer was away
 * is not the device's loss, and `npm run verify` says when it happened.
 */
import { EventEmitter } from "node:events"
import type { MqttClient } from "mqtt"
import { brokerTarget, connectBroker, type BrokerTarget, type Login } from "../link/broker-connect.ts"
import { BrokerConnectError } from "../link/broker-failure.ts"
import type { Hole, Observation } from "./ledger.ts"

export interface Observed {
    topic: string
    payload: Buffer
    retain: boolean
    qos: number
    atMs: number
}

export class Observer extends EventEmitter {
    readonly messages: Observed[] = []
    /** When the observer lost the broker after its first subscription, and when it was back (each emitted as "hole" then). */
    readonly holes: Hole[] = []
    /** Host clock when the first subscription was granted (0: not yet). */
    startedAtMs = 0
    private client?: MqttClient
    private stopping = false
    readonly target: BrokerTarget

    constructor(
        /** A BrokerTarget, or a broker URL plus `login`. */
        target: BrokerTarget | string,
        private readonly filter: string,
        /** A fixed client id with clean=false keeps the subscription across broker restarts. */
        private readonly persistentId = "",
        login: Login = {},
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
        try {
            await client.subscribeAsync(this.filter, { qos: 1 })
            this.startedAtMs = Date.now()
            // MQTT.js resubscribes before it emits "connect" again: the hole ends there.
            client.on("close", () => {
                const last = this.holes[this.holes.length - 1]
                if (!this.stopping && (!last || last.toMs !== undefined)) this.holes.push({ fromMs: Date.now() })
            })
            client.on("connect", () => {
                const last = this.holes[this.holes.length - 1]
                if (!last || last.toMs !== undefined) return
                last.toMs = Date.now()
                this.emit("hole", last)
            })
        } catch (e) {
            await this.stop()
            // SUBACK 0x80 [MQTT-3.9.3]: the login worked, but this user may not read the topics (an ACL).
            // MQTT.js 5 rejects with the SUBACK packet attached (ErrorWithSubackPacket), not with the code.
            const refused = (e as { packet?: { granted?: number[] } }).packet?.granted?.some(g => g === 0x80)
            const who = this.target.username ? `user '${this.target.username}'` : "an anonymous client"
            const why = refused
                ? `the broker refused the subscription (SUBACK 0x80): ${who} may not read these topics`
                : (e as Error).message
            throw new BrokerConnectError(
                "subscribe",
                `cannot subscribe to ${this.filter} at ${this.target.url}: ${why}`,
            )
        }
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

    /** What it observed up to `endMs`: from its first subscription, with its own holes. */
    observation(endMs = Date.now()): Observation {
        return { startMs: this.startedAtMs, endMs, holes: this.holes.map(h => ({ ...h })) }
    }

    async stop(): Promise<void> {
        this.stopping = true
        const c = this.client
        if (c) await new Promise<void>(resolve => c.end(true, {}, () => resolve()))
    }
}
