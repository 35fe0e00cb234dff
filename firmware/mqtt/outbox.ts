/**
 * Outbound message store: the offline queue and the in-flight window.
 *
 * - `queue`: accepted, not yet sent on the current connection, in order.
 * - `inflight`: QoS 1 PUBLISHes sent and waiting for PUBACK, in send order.
 *   They keep their packet id until acknowledged [MQTT-2.3.1-3] and are
 *   resent first, same id, DUP=1, after a reconnect [MQTT-4.4.0-1].
 * Both together are bounded by count and bytes. When full, the oldest queued
 * (never in-flight) message is dropped to make room, because for telemetry
 * the newest reading is worth more than the oldest. Every drop is counted.
 */
import { without } from "./list"

export const MSG_QUEUED = 0
export const MSG_INFLIGHT = 1
export const MSG_DONE = 2
export const MSG_DROPPED = 3

export const DROP_QUEUE_FULL = "queue_full"
export const DROP_EXPIRED = "expired"
export const DROP_REPLACED = "replaced"
export const DROP_TOO_LARGE = "too_large"
export const DROP_STOPPED = "stopped"

export interface OutMessage {
    topic: string
    payload: Buffer
    qos: number
    retain: boolean
    /** Packet id while in flight (QoS 1), else 0. */
    id: number
    dup: boolean
    /** Bytes this message takes on the wire (its queue cost). */
    bytes: number
    enqueuedMs: number
    /** 0: never expires while queued. */
    ttlMs: number
    /** Non-empty: a newer queued message with the same key replaces this one. */
    replaceKey: string
    state: number
    /** Drop reason when state is MSG_DROPPED. */
    reason: string
    sentMs: number
}

export interface OutboxLimits {
    maxCount: number
    maxBytes: number
}

export class Outbox {
    queue: OutMessage[] = []
    inflight: OutMessage[] = []
    bytes = 0
    /** Last id handed out; ids cycle 1..65535 [MQTT-2.3.1-1]. */
    private lastId = 0

    constructor(
        public limits: OutboxLimits,
        private readonly onDrop: (m: OutMessage, reason: string) => void
    ) {}

    count(): number {
        return this.queue.length + this.inflight.length
    }

    /** Accepts a message, evicting by the replace key and then the oldest queued. Returns "" or the drop reason for `m`. */
    add(m: OutMessage): string {
        if (m.bytes > this.limits.maxBytes) return this.reject(m, DROP_TOO_LARGE)
        if (m.replaceKey !== "") {
            for (let i = 0; i < this.queue.length; i++) {
                if (this.queue[i].replaceKey === m.replaceKey) {
                    this.dropQueuedAt(i, DROP_REPLACED)
                    break
                }
            }
        }
        while (this.count() + 1 > this.limits.maxCount || this.bytes + m.bytes > this.limits.maxBytes) {
            if (this.queue.length === 0) return this.reject(m, DROP_QUEUE_FULL)
            this.dropQueuedAt(0, DROP_QUEUE_FULL)
        }
        m.state = MSG_QUEUED
        this.queue.push(m)
        this.bytes += m.bytes
        return ""
    }

    /** Removes and returns the next queued message that has not expired, or null. */
    takeNext(nowMs: number): OutMessage | null {
        while (this.queue.length > 0) {
            const m = this.queue[0]
            this.queue.shift()
            if (m.ttlMs > 0 && nowMs - m.enqueuedMs > m.ttlMs) {
                this.bytes -= m.bytes
                this.finishDropped(m, DROP_EXPIRED)
                continue
            }
            return m
        }
        return null
    }

    /** Puts a message taken by takeNext back at the head (the write failed). */
    unshift(m: OutMessage) {
        m.state = MSG_QUEUED
        this.queue.unshift(m)
    }

    /** Marks a taken QoS 1 message as sent, with a fresh packet id. */
    markInflight(m: OutMessage, id: number, nowMs: number) {
        m.id = id
        m.state = MSG_INFLIGHT
        m.sentMs = nowMs
        this.inflight.push(m)
    }

    /** Message taken and written with QoS 0: done. */
    finishSent(m: OutMessage) {
        this.bytes -= m.bytes
        m.state = MSG_DONE
    }

    /** PUBACK for `id`: returns the acknowledged message, or null for an unknown id. */
    ack(id: number): OutMessage | null {
        for (let i = 0; i < this.inflight.length; i++) {
            const m = this.inflight[i]
            if (m.id === id) {
                this.inflight = without(this.inflight, m)
                this.bytes -= m.bytes
                m.state = MSG_DONE
                return m
            }
        }
        return null
    }

    idInUse(id: number): boolean {
        for (const m of this.inflight) if (m.id === id) return true
        return false
    }

    /**
     * Next free packet id, skipping ids in use (by in-flight PUBLISHes or by
     * `otherInUse`) [MQTT-2.3.1-2]; 0 when all 65535 are taken.
     */
    allocId(otherInUse: (id: number) => boolean): number {
        let id = this.lastId
        for (let n = 0; n < 65535; n++) {
            id = id >= 65535 ? 1 : id + 1
            if (!this.idInUse(id) && !otherInUse(id)) {
                this.lastId = id
                return id
            }
        }
        return 0
    }

    /** Drops everything (planned stop or clean session with no resend). */
    clear(reason: string) {
        const all = this.inflight
        for (const m of this.queue) all.push(m)
        this.inflight = []
        this.queue = []
        this.bytes = 0
        for (const m of all) this.finishDropped(m, reason)
    }

    private dropQueuedAt(i: number, reason: string) {
        const m = this.queue[i]
        this.queue = without(this.queue, m)
        this.bytes -= m.bytes
        this.finishDropped(m, reason)
    }

    private reject(m: OutMessage, reason: string): string {
        this.finishDropped(m, reason)
        return reason
    }

    private finishDropped(m: OutMessage, reason: string) {
        m.state = MSG_DROPPED
        m.reason = reason
        this.onDrop(m, reason)
    }
}
