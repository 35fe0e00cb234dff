/**
 * The dashboard's own MQTT client: it subscribes to `<prefix>/#` and the Home
 * Assistant discovery topics and publishes the period downlink. It connects
 * through ../broker-connect.ts (login from .env.local, TLS with the system CAs
 * plus --ca), so a refusal is the same one line as everywhere else, and it
 * never gives up: while the broker cannot be reached it says so (`onState`) and
 * tries again every RETRY_MS. After the first connection MQTT.js reconnects
 * on its own and resubscribes.
 */
import type { MqttClient } from "mqtt"
import { connectBroker, type BrokerTarget } from "../link/broker-connect.ts"
import { HA_PREFIX } from "../../firmware/telemetry/topics.ts"
import type { BrokerLinkState, Message } from "./state.ts"

export const LINK_DEFAULTS = {
    /** A broker that could not be reached is tried again after this. */
    retryMs: 3000,
    /** After the first connection: MQTT.js reconnects this often (a restarted broker is back within a second). */
    reconnectMs: 500,
    connectTimeoutMs: 5000,
}

export class BrokerLink {
    private client?: MqttClient
    private timer?: NodeJS.Timeout
    private stopped = false

    constructor(
        private readonly target: BrokerTarget,
        private readonly prefix: string,
        private readonly onMessage: (m: Message) => void,
        private readonly onState: (state: BrokerLinkState["state"], error: string) => void,
        private readonly o = LINK_DEFAULTS,
    ) {}

    /** Resolves after the first attempt, connected or not (a failure is reported through onState). */
    async start(): Promise<void> {
        if (this.stopped) return
        this.onState("connecting", "")
        try {
            const client = await connectBroker(this.target, {
                clientId: `dashboard-${process.pid}-${Date.now() % 100000}`,
                timeoutMs: this.o.connectTimeoutMs,
                reconnectPeriodMs: this.o.reconnectMs,
                setup: c =>
                    c.on("message", (topic, payload, packet) =>
                        this.onMessage({ topic, payload, retain: packet.retain, atMs: Date.now() }),
                    ),
            })
            if (this.stopped) return void client.end(true)
            this.client = client
            client.on(
                "close",
                () => this.stopped || this.onState("reconnecting", "the connection to the broker was lost"),
            )
            client.on("connect", () => this.onState("connected", ""))
            await client.subscribeAsync([`${this.prefix}/#`, `${HA_PREFIX}/#`], { qos: 1 })
            this.onState("connected", "")
        } catch (e) {
            this.client?.end(true)
            this.client = undefined
            this.onState("unreachable", (e as Error).message)
            if (!this.stopped) this.timer = setTimeout(() => void this.start(), this.o.retryMs)
        }
    }

    get connected(): boolean {
        return !!this.client?.connected
    }

    async publish(topic: string, payload: string): Promise<void> {
        if (!this.client?.connected) throw new Error("not connected to the broker")
        await this.client.publishAsync(topic, payload, { qos: 1 })
    }

    async stop(): Promise<void> {
        this.stopped = true
        clearTimeout(this.timer)
        const c = this.client
        if (c) await new Promise<void>(resolve => c.end(true, {}, () => resolve()))
    }
}
