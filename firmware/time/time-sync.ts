/**
 * Keeps the ClockSync fresh over the device's one MQTT connection: a request right after every
 * CONNACK and every CLOCK_DEFAULTS.resyncMs; without an answer it asks again after replyTimeoutMs,
 * doubling up to resyncMs. Requests go out only while connected, QoS 0 and never queued: an answer
 * to a request that waited in a queue would measure the queue, not the network. The answer comes on
 * `<prefix>/<device>/time/resp` (host-sim/time/time-responder.ts, `npm run time-server`).
 */
import * as ds from "@devicescript/core"
import { Session } from "../mqtt/session"
import { ConnectWatch } from "../net/connect-watch"
import { CLOCK_DEFAULTS, ClockSync } from "./clock-sync"

/** {"t": <device ms>, "now": <Unix ms>} is under 60 bytes; anything longer is not an answer. */
const ANSWER_MAX_BYTES = 96

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
            const refused = c.refused
            const back = c.stepsBack
            // Only what an answer can hold becomes text (a 1 KB payload would take a second block).
            const text = (payload.length > ANSWER_MAX_BYTES ? payload.slice(0, ANSWER_MAX_BYTES) : payload).toString(
                "utf-8",
            )
            if (c.onAnswer(text, ds.millis())) wake.notify()
            if (c.refused !== refused)
                console.warn("time: refused an answer outside 2026..2036 (a wrong or lying time server)")
            if (c.stepsBack !== back)
                console.warn("time: the server moved the clock back; ts holds until it passes the last value")
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
