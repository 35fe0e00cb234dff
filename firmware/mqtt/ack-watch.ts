/**
 * Acknowledgement liveness (issue 23): a QoS 1 PUBLISH or a SUBSCRIBE/UNSUBSCRIBE that the broker
 * has not answered within `ackTimeoutMs` on a link that is otherwise alive (PINGRESPs keep coming)
 * means the link lost it. The window frees room only from its oldest record, so one PUBACK lost on
 * a live link would stop publishing for the life of the connection. The session closes the link
 * (`ack_timeout`) and the usual reconnect resends the packet with DUP=1 and the same id
 * [MQTT-4.4.0-1]; 3.1.1 requires a resend only on reconnect and MQTT 5 forbids one on a live link,
 * so reconnecting is the recovery that is right under both (checklist C63).
 *
 * The bound is max(2 × keepalive, 30 s): a PINGREQ/PINGRESP round trip proves the link within
 * 1.5 × keepalive, so an answer still missing after two keepalive periods is not in a slow
 * broker's queue (aedes or Mosquitto under load answer within seconds), and 30 s keeps a short
 * keepalive from turning a busy broker into a reconnect storm. A session that ends this way lasted
 * at least the bound, so reconnects come at most once per bound. Costs no heap after boot: the
 * send times are already in the window's records and in each request.
 */
import { REQ_SENT } from "./subscriptions"
import { mod, U32 } from "./mod32"
import type { Session } from "./session"

/** The shortest bound, whatever the keepalive. */
export const ACK_TIMEOUT_MIN_MS = 30000

/** The bound for a keepalive of `keepAliveS` seconds (0: no keepalive). */
export function ackTimeoutFor(keepAliveS: number): number {
    const ms = 2 * keepAliveS * 1000
    return ms > ACK_TIMEOUT_MIN_MS ? ms : ACK_TIMEOUT_MIN_MS
}

/**
 * ms until the oldest unanswered packet is overdue: 0 when it is (the session closes the link),
 * -1 when nothing waits for an answer.
 */
export function ackDueIn(s: Session, now: number): number {
    let oldest = s.outbox.window.oldestSentAt()
    for (const r of s.subs.requests) {
        if (r.state !== REQ_SENT) continue
        const t = r.sentAtMs
        if (oldest < 0 || age(t, now) > age(oldest, now)) oldest = t
    }
    if (oldest < 0) return -1
    const left = s.ackTimeoutMs - age(oldest, now)
    return left > 0 ? left : 0
}

/** ms since `sentAt` (both mod 2^32). */
function age(sentAt: number, now: number): number {
    return mod(now - sentAt, U32)
}
