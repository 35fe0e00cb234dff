/**
 * The host half of the device's time sync (firmware/time/clock-sync.ts): subscribes to
 * `<prefix>/+/time/req` and answers each request on `<prefix>/<device>/time/resp` with
 * `{"t": <the request's device ms>, "now": <this host's Unix ms>}`, QoS 0. The simulator runs one;
 * `npm run time-server` runs one next to a real deployment. The device's accuracy is bounded by
 * half the round trip it measured, so this host's clock is the reference: keep it on NTP.
 */
import type { MqttClient } from "mqtt"
import { connectBroker, type BrokerTarget } from "../link/broker-connect.ts"
import { topicsFor } from "../../firmware/telemetry/topics.ts"
import { deviceTopic } from "../ledger/topic-table.ts"

/** A request payload is the device clock in integer ms; anything else gets no answer. */
const REQUEST = /^\d{1,15}$/

/** The answer to one request, or null for a malformed one. Pure: `nowMs` is the host clock at receipt. */
export function timeAnswer(request: string, nowMs: number): string | null {
    const t = request.trim()
    if (!REQUEST.test(t)) return null
    return JSON.stringify({ t: Number(t), now: nowMs })
}

/** `<prefix>/<device>/time/req` → `<prefix>/<device>/time/resp`; null when the topic is not a request. */
export function answerTopic(prefix: string, topic: string): string | null {
    const t = deviceTopic(topic, prefix)
    return t?.kind === "timeReq" ? topicsFor(prefix, t.device).timeResp : null
}

export class TimeResponder {
    answered = 0
    private client?: MqttClient

    constructor(
        private readonly target: BrokerTarget,
        private readonly prefix = "devs",
        private readonly onAnswer?: (device: string, answer: string) => void,
    ) {}

    /** Rejects with a BrokerConnectError when the broker cannot be reached or refuses the login. */
    async start(): Promise<void> {
        this.client = await connectBroker(this.target, {
            clientId: `time-${process.pid}-${Date.now() % 100000}`,
            reconnectPeriodMs: 1000,
            setup: c =>
                c.on("message", (topic, payload) => {
                    // The host clock at receipt: the closer to the broker's delivery, the tighter the device's bound.
                    const now = Date.now()
                    const to = answerTopic(this.prefix, topic)
                    const answer = to && timeAnswer(payload.toString(), now)
                    if (!to || !answer) return
                    c.publish(to, answer, { qos: 0 })
                    this.answered++
                    this.onAnswer?.(topic.split("/")[1], answer)
                }),
        })
        await this.client.subscribeAsync(`${this.prefix}/+/time/req`, { qos: 0 })
    }

    async stop(): Promise<void> {
        const c = this.client
        if (c) await new Promise<void>(resolve => c.end(true, {}, () => resolve()))
    }
}
