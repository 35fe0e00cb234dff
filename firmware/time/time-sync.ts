/**
 * Keeps the ClockSync fresh over the device's one MQTT connection: a request right after every
 * CONNACK and every CLOCK_DEFAULTS.resyncMs; without an answer it asks again after replyTimeoutMs,
 * doubling up to resyncMs. Requests go out only while connected, QoS 0 and never queued: an answer
 * to a request that waited in a queue would measure the queue, not the network. The answer comes on
 * `<prefix>/<device>/time/resp` (host-sim/time-responder.ts, `npm run time-server`).
 */
import * as ds from "@devicescript/core"
import { Session } from "../mqtt/session"
import { ConnectWatch } from "../net/connect-watch"
import { CLOCK_DEFAULTS, ClockSync } from "./clock-sync"

export class TimeSync {
    readonly clock = new ClockSync()
    /** CONNACKs (a round starts after each) and answers wake the fiber. */
    private readonly wake: ConnectWatch

    constructor(
        private readonly session: Session,
        private readonly reqTopic: string,
        private readonly respTopic: string,
    ) {
        this.wake = new ConnectWatch(session)
    }

    async run(): Promise<void> {
        const s = this.session
        const c = this.clock
        const wake = this.wake
        s.subscribe(this.respTopic, 0, (topic, payload) => {
            if (c.onAnswer(payload.toString("utf-8"), ds.millis())) wake.notify()
        })
        let seen = 0
        let due = 0
        let waitMs = CLOCK_DEFAULTS.replyTimeoutMs
        for (;;) {
            const now = ds.millis()
            if (c.syncs !== seen) {
                // Answered: the next round after the resync time.
                seen = c.syncs
                waitMs = CLOCK_DEFAULTS.replyTimeoutMs
                due = now + CLOCK_DEFAULTS.resyncMs
            }
            if (s.isConnected()) {
                if (wake.take()) {
                    waitMs = CLOCK_DEFAULTS.replyTimeoutMs
                    due = now
                }
                if (now >= due) {
                    s.publish(this.reqTopic, Buffer.from(c.request(now)), {
                        qos: 0,
                        retain: false,
                        ttlMs: 0,
                        replace: true,
                    })
                    due = now + waitMs
                    waitMs = waitMs * 2 > CLOCK_DEFAULTS.resyncMs ? CLOCK_DEFAULTS.resyncMs : waitMs * 2
                }
            }
            // Asleep until the next request is due (while connected), a CONNACK or an answer: the
            // fiber runs once per request, not on a poll.
            await wake.wait(s.isConnected() ? due - ds.millis() : undefined)
        }
    }
}
