/**
 * Outbound messages in a fixed memory budget, two PacketRings allocated once, at boot: the queue
 * (QUEUE_BYTES, QUEUE_MAX records) of accepted PUBLISH packets, encoded once when published and
 * not yet handed to the connection, oldest first; and the window (window.ts) of packets handed to
 * the connection. Nothing here allocates per message, so a queue that stays full through an
 * hour-long outage neither grows nor fragments the heap.
 *
 * Policy when the queue is full: the oldest queued (never in-flight) message is dropped to make
 * room, because for telemetry the newest reading is worth more than the oldest. A message older
 * than its TTL is dropped when it reaches the head. A message published with `replace` replaces
 * an older queued one to the same topic, and is itself refused by a full queue rather than drop the
 * oldest for it (a newer one follows: diagnostics, time requests, discovery configs). Every drop is
 * counted by cause (onDrop).
 *
 * Messages are known by a ticket (1, 2, ...): stateOf(ticket) says where one is, and the outcome
 * of the last OUTCOMES_KEPT finished messages is remembered.
 *
 * Portable: imports nothing from @devicescript/*.
 */
import { blit, getU32, setU32 } from "./bytes"
import {
    ADD_REPLACE,
    ADD_RETAIN,
    ADD_TAGGED,
    DROP_EXPIRED,
    DROP_QUEUE_FULL,
    DROP_REASONS,
    DROP_REPLACED,
    DROP_TOO_LARGE,
    MSG_DONE,
    MSG_DROPPED,
    MSG_INFLIGHT,
    MSG_QUEUED,
    MSG_UNKNOWN,
    OUTCOMES_KEPT,
} from "./outbox-codes"
import { PacketRing, RF_2, RF_3 } from "./packet-ring"
import { publishBytes, publishQos, setPublishId, topicOffset, writePublish } from "./publish-record"
import { mod, U32 } from "./mod32"
import { F_TAGGED, TICKET, Window, WindowOwner } from "./window"

/** Queue record flags (F_TAGGED, window.ts, is the third). */
const Q_DEAD = 1
const Q_REPLACE = 2
/** Queue record fields (packet-ring.ts), beside TICKET: ms queued at (mod 2^32), and the TTL (0: none). */
const QUEUED_AT = RF_2
const TTL = RF_3

/** The outbox's bounds; the session passes its options (SessionOptions has these fields). */
export interface OutboxLimits {
    /** Bytes of encoded packets the queue can hold. */
    queueMaxBytes: number
    /** Messages the queue can hold. */
    queueMaxCount: number
    /** Bytes of packets handed to the connection and not finished (QoS 1 until PUBACK). */
    windowBytes: number
    /** QoS 1 packets in flight at once. */
    maxInflight: number
    /** Largest PUBLISH packet accepted (also bounded by both rings). */
    maxPacketBytes: number
}

export class Outbox implements WindowOwner {
    /** Tagged messages (readings) finished without a drop: acknowledged by the broker (QoS 1) or written (QoS 0). */
    taggedDone = 0
    readonly queue: PacketRing
    readonly window: Window
    /** Queued records that are not dead (replaced). */
    private live = 0
    private lastTicket = 0
    /** OUTCOMES_KEPT × (ticket u32, code u8). */
    private readonly outcomes: Buffer
    private nextOutcome = 0
    /** Largest PUBLISH packet the outbox can carry (it must fit the queue and the window). */
    private readonly maxPacket: number

    constructor(
        readonly limits: OutboxLimits,
        private readonly onDrop: (reason: string, tagged: boolean) => void,
    ) {
        this.queue = new PacketRing(limits.queueMaxBytes, limits.queueMaxCount)
        this.window = new Window(limits.windowBytes, limits.maxInflight, this)
        this.outcomes = Buffer.alloc(OUTCOMES_KEPT * 5)
        this.maxPacket = Math.min(limits.maxPacketBytes, Math.min(limits.queueMaxBytes, limits.windowBytes))
    }

    /** Messages not finished: queued plus handed to the connection. */
    count(): number {
        return this.live + this.window.pending
    }

    /** Bytes taken in both rings (including space skipped at a ring's end). */
    bytes(): number {
        return this.queue.usedBytes() + this.window.ring.usedBytes()
    }

    /**
     * Encodes a PUBLISH into the queue. topicBytes is the topic's checked UTF-8 length; options is the
     * QoS or-ed with ADD_RETAIN, ADD_REPLACE, ADD_TAGGED. Returns the
     * message's ticket; a message that cannot be taken is dropped at once (stateOf tells why).
     */
    add(topic: string, topicBytes: number, payload: Buffer, ttlMs: number, nowMs: number, options: number): number {
        const qos = options & 3
        const retain = (options & ADD_RETAIN) !== 0
        const replace = (options & ADD_REPLACE) !== 0
        const tagged = (options & ADD_TAGGED) !== 0
        const n = publishBytes(topicBytes, payload.length, qos)
        if (n > this.maxPacket) return this.refuse(DROP_TOO_LARGE, tagged)
        let s = -1
        for (;;) {
            if (this.live < this.limits.queueMaxCount) {
                s = this.queue.push(n)
                if (s >= 0) break
            }
            // A message a newer one will replace is refused rather than push an older one out.
            if (this.queue.count === 0 || replace) return this.refuse(DROP_QUEUE_FULL, tagged)
            this.dropOldest(DROP_QUEUE_FULL)
        }
        const ticket = ++this.lastTicket
        writePublish(this.queue.data, this.queue.off(s), topic, topicBytes, payload, qos, retain, 0)
        this.queue.setFlags(s, (replace ? Q_REPLACE : 0) | (tagged ? F_TAGGED : 0))
        this.queue.setField(s, TICKET, ticket)
        this.queue.setField(s, QUEUED_AT, mod(nowMs, U32))
        this.queue.setField(s, TTL, ttlMs)
        this.live++
        if (replace) this.replaceOlder(s)
        return ticket
    }

    /**
     * Encodes a QoS 1 PUBLISH straight into the window, behind what is in flight and ahead of
     * everything queued (the birth message after a reconnect). Falls back to the queue when the
     * window has no room. Returns the ticket.
     */
    addFirst(
        topic: string,
        topicBytes: number,
        payload: Buffer,
        retain: boolean,
        otherInUse: (id: number) => boolean,
    ): number {
        const n = publishBytes(topicBytes, payload.length, 1)
        const w = this.window
        const off = n <= this.maxPacket ? w.push(n, this.lastTicket + 1, true, false, otherInUse) : -1
        if (off < 0) return this.add(topic, topicBytes, payload, 0, 0, 1 | (retain ? ADD_RETAIN : 0))
        writePublish(w.ring.data, off, topic, topicBytes, payload, 1, retain, w.lastId)
        return ++this.lastTicket
    }

    /** Records a message refused before it was queued (too large, no room, after stop) and returns its ticket. */
    refuse(reason: string, tagged: boolean): number {
        const ticket = ++this.lastTicket
        this.finish(ticket, reason, tagged)
        return ticket
    }

    /**
     * Moves queued packets into the window, oldest first, while the window has room (bytes,
     * records, QoS 1 in flight), at most `maxItems` packets and about `budgetBytes` bytes; gives
     * each QoS 1 packet a free packet id (`otherInUse` names ids taken elsewhere). Expired messages
     * are dropped on the way (and count as items: they are work too). Returns the items handled.
     */
    stage(nowMs: number, budgetBytes: number, maxItems: number, otherInUse: (id: number) => boolean): number {
        const q = this.queue
        const w = this.window
        let moved = 0
        let items = 0
        while (q.count > 0 && moved < budgetBytes && items < maxItems) {
            items++
            const s = q.slot(0)
            if (q.flags(s) & Q_DEAD) {
                q.shift()
                continue
            }
            const ttl = q.field(s, TTL)
            if (ttl > 0 && elapsed(nowMs, q.field(s, QUEUED_AT)) > ttl) {
                this.dropOldest(DROP_EXPIRED)
                continue
            }
            const off = q.off(s)
            const n = q.len(s)
            const qos1 = publishQos(q.data, off) > 0
            const woff = w.push(n, q.field(s, TICKET), qos1, (q.flags(s) & F_TAGGED) !== 0, otherInUse)
            if (woff < 0) {
                items--
                break
            }
            blit(w.ring.data, woff, q.data, off, n)
            if (qos1) setPublishId(w.ring.data, woff, w.lastId)
            this.live--
            q.shift()
            moved += n
        }
        return items
    }

    /** Drops everything (planned stop). */
    clear(reason: string) {
        this.window.clear(reason)
        while (this.queue.count > 0) this.dropOldest(reason)
    }

    /** Where the message with this ticket is: MSG_QUEUED, MSG_INFLIGHT, MSG_DONE, MSG_DROPPED or MSG_UNKNOWN. */
    stateOf(ticket: number): number {
        const q = this.queue
        for (let i = 0; i < q.count; i++) {
            const s = q.slot(i)
            if (q.field(s, TICKET) === ticket && !(q.flags(s) & Q_DEAD)) return MSG_QUEUED
        }
        if (this.window.holds(ticket)) return MSG_INFLIGHT
        const code = this.outcomeOf(ticket)
        if (code < 0) return MSG_UNKNOWN
        return code === 0 ? MSG_DONE : MSG_DROPPED
    }

    /** The drop reason of a dropped ticket ("" if it was not dropped or is forgotten). */
    dropReason(ticket: number): string {
        const code = this.outcomeOf(ticket)
        return code > 0 ? DROP_REASONS[code - 1] : ""
    }

    private outcomeOf(ticket: number): number {
        const o = this.outcomes
        for (let i = 0; i < OUTCOMES_KEPT; i++)
            if (getU32(o, i * 5) === mod(ticket, U32) && ticket > 0) return o[i * 5 + 4]
        return -1
    }

    /** Records the end of a message: done ("") or dropped with a reason (counted). For the window too. */
    finish(ticket: number, reason: string, tagged: boolean) {
        const at = this.nextOutcome * 5
        setU32(this.outcomes, at, mod(ticket, U32))
        this.outcomes[at + 4] = reason === "" ? 0 : 1 + DROP_REASONS.indexOf(reason)
        this.nextOutcome = (this.nextOutcome + 1) % OUTCOMES_KEPT
        if (reason !== "") this.onDrop(reason, tagged)
        else if (tagged) this.taggedDone++
    }

    private dropOldest(reason: string) {
        const q = this.queue
        const s = q.slot(0)
        const f = q.flags(s)
        if (!(f & Q_DEAD)) {
            this.live--
            this.finish(q.field(s, TICKET), reason, (f & F_TAGGED) !== 0)
        }
        q.shift()
    }

    /** Marks older queued messages to the same topic as record `s` (published with replace) as replaced. */
    private replaceOlder(s: number) {
        const q = this.queue
        const d = q.data
        const off = q.off(s)
        const t = topicOffset(d, off)
        const tl = (d[t - 2] << 8) | d[t - 1]
        for (let i = 0; i < q.count - 1; i++) {
            const o = q.slot(i)
            const f = q.flags(o)
            if ((f & (Q_REPLACE | Q_DEAD)) !== Q_REPLACE) continue
            const ooff = q.off(o)
            const ot = topicOffset(d, ooff)
            if (((d[ot - 2] << 8) | d[ot - 1]) !== tl) continue
            let same = true
            for (let k = 0; k < tl && same; k++) if (d[ot + k] !== d[t + k]) same = false
            if (!same) continue
            q.setFlags(o, f | Q_DEAD)
            this.live--
            this.finish(q.field(o, TICKET), DROP_REPLACED, (f & F_TAGGED) !== 0)
        }
    }
}

/** ms from a stored (mod 2^32) time to now. */
function elapsed(nowMs: number, thenMod: number): number {
    return mod(nowMs - thenMod, U32)
}
