/**
 * Outbound messages in a fixed memory budget: two PacketRings allocated once, at boot.
 *
 * - `queue` (QUEUE_BYTES, QUEUE_MAX records): accepted PUBLISH packets, encoded once when
 *   published, not yet handed to the connection, oldest first.
 * - `window` (WINDOW_BYTES): packets handed to the connection. A QoS 1 packet stays there,
 *   with its packet id, until its PUBACK [MQTT-2.3.1-3] and is resent first, same id, DUP=1,
 *   after a reconnect [MQTT-4.4.0-1]; a QoS 0 packet leaves once written. At most `maxInflight`
 *   QoS 1 packets and WINDOW_BYTES bytes are outstanding: the window paces the socket by bytes
 *   (a Pico W closes its socket when too much is unacknowledged) as well as by count.
 *
 * Records in each ring are contiguous, so a run of staged packets goes to the socket in one write,
 * and a resend patches the DUP bit in place. Nothing here allocates per message, so a queue that
 * stays full through an hour-long outage neither grows nor fragments the heap.
 *
 * Policy when the queue is full: the oldest queued (never in-flight) message is dropped to make
 * room, because for telemetry the newest reading is worth more than the oldest. A message older
 * than its TTL is dropped when it reaches the head. A message published with `replace` replaces
 * an older queued one to the same topic. Every drop is counted by cause (onDrop).
 *
 * Messages are known by a ticket (1, 2, ...): stateOf(ticket) says where one is, and the outcome
 * of the last OUTCOMES_KEPT finished messages is remembered.
 *
 * Portable: imports nothing from @devicescript/*.
 */
import { blit, getU32, setU32 } from "./bytes"
import {
    ADD_NO_EVICT,
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
import { PacketRing } from "./packet-ring"
import { idOffset, publishBytes, topicOffset, writePublish } from "./publish-record"

/** Window records beyond the QoS 1 in-flight limit: QoS 0 packets staged for writing. */
const WINDOW_EXTRA_RECORDS = 16

/** Queue record flags. */
const Q_DEAD = 1
const Q_REPLACE = 2
/** Either ring: the message is tagged (its drops are also counted apart, e.g. telemetry readings). */
const F_TAGGED = 0x10
/** Window record states (the low bits of its flags). */
const W_STATE = 0x0f
/** Window record states. */
const W_STAGED = 1
const W_SENT = 2
const W_DONE = 3

const U32 = 4294967296

export interface OutboxLimits {
    /** Bytes of encoded packets the queue can hold. */
    queueBytes: number
    /** Messages the queue can hold. */
    queueMax: number
    /** Bytes of packets handed to the connection and not finished (QoS 1 until PUBACK). */
    windowBytes: number
    /** QoS 1 packets in flight at once. */
    maxInflight: number
    /** Largest PUBLISH packet accepted (also bounded by both rings). */
    maxPacketBytes: number
}

export class Outbox {
    readonly queue: PacketRing
    readonly window: PacketRing
    /** Queued records that are not dead (replaced). */
    private live = 0
    /** QoS 1 records in the window that wait for a PUBACK (staged or sent). */
    private inflight = 0
    /** Window records that are not finished (staged or sent). */
    private pending = 0
    /** Index (from the oldest) of the first window record that may be staged. */
    private firstStaged = 0
    /** Last id handed out; ids cycle 1..65535 [MQTT-2.3.1-1]. */
    private lastId = 0
    /** Steps the id counter has taken (mod 2^32); each window record keeps the value at its id. */
    private idSteps = 0
    private lastTicket = 0
    /** OUTCOMES_KEPT × (ticket u32, code u8). */
    private readonly outcomes: Buffer
    private nextOutcome = 0
    /** Set by nextRun: the run of staged window records [runFirst, runEnd) and its bytes [runFrom, runTo). */
    runFrom = 0
    runTo = 0
    private runFirst = 0
    private runEnd = 0

    constructor(
        readonly limits: OutboxLimits,
        private readonly onDrop: (reason: string, tagged: boolean) => void,
    ) {
        this.queue = new PacketRing(limits.queueBytes, limits.queueMax)
        this.window = new PacketRing(limits.windowBytes, limits.maxInflight + WINDOW_EXTRA_RECORDS)
        this.outcomes = Buffer.alloc(OUTCOMES_KEPT * 5)
    }

    /** Largest PUBLISH packet the outbox can carry (it must fit the queue and the window). */
    maxPacketBytes(): number {
        return Math.min(this.limits.maxPacketBytes, Math.min(this.limits.queueBytes, this.limits.windowBytes))
    }

    /** Messages not finished: queued plus handed to the connection. */
    count(): number {
        return this.live + this.pending
    }

    /** QoS 1 messages waiting for a PUBACK. */
    inflightCount(): number {
        return this.inflight
    }

    /** Bytes taken in both rings (including space skipped at a ring's end). */
    bytes(): number {
        return this.queue.usedBytes() + this.window.usedBytes()
    }

    /**
     * Encodes a PUBLISH into the queue. topicBytes is the topic's checked UTF-8 length; options is the
     * QoS or-ed with ADD_RETAIN, ADD_REPLACE, ADD_TAGGED, ADD_NO_EVICT. Returns the
     * message's ticket; a message that cannot be taken is dropped at once (stateOf tells why).
     */
    add(topic: string, topicBytes: number, payload: Buffer, ttlMs: number, nowMs: number, options: number): number {
        const qos = options & 3
        const retain = (options & ADD_RETAIN) !== 0
        const replace = (options & ADD_REPLACE) !== 0
        const tagged = (options & ADD_TAGGED) !== 0
        const ticket = ++this.lastTicket
        const n = publishBytes(topicBytes, payload.length, qos)
        if (n > this.maxPacketBytes()) {
            this.finish(ticket, DROP_TOO_LARGE, tagged)
            return ticket
        }
        let s = -1
        for (;;) {
            if (this.live < this.limits.queueMax) {
                s = this.queue.push(n)
                if (s >= 0) break
            }
            if (this.queue.count === 0 || (options & ADD_NO_EVICT) !== 0) {
                this.finish(ticket, DROP_QUEUE_FULL, tagged)
                return ticket
            }
            this.dropOldest(DROP_QUEUE_FULL)
        }
        writePublish(this.queue.data, this.queue.off(s), topic, topicBytes, payload, qos, retain, 0)
        this.queue.setFlags(s, (replace ? Q_REPLACE : 0) | (tagged ? F_TAGGED : 0))
        this.queue.setA(s, ticket)
        this.queue.setB(s, nowMs % U32)
        this.queue.setC(s, ttlMs)
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
        const id = this.inflight < this.limits.maxInflight && n <= this.maxPacketBytes() ? this.allocId(otherInUse) : 0
        const ws = id > 0 ? this.window.push(n) : -1
        if (ws < 0) return this.add(topic, topicBytes, payload, 0, 0, 1 | (retain ? ADD_RETAIN : 0))
        const ticket = ++this.lastTicket
        writePublish(this.window.data, this.window.off(ws), topic, topicBytes, payload, 1, retain, id)
        this.window.setFlags(ws, W_STAGED)
        this.window.setA(ws, ticket)
        this.window.setB(ws, 0)
        this.window.setC(ws, id)
        this.window.setD(ws, this.idSteps)
        this.inflight++
        this.pending++
        return ticket
    }

    /** Records a message refused before it was queued (e.g. after stop) and returns its ticket. */
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
            const ttl = q.c(s)
            if (ttl > 0 && elapsed(nowMs, q.b(s)) > ttl) {
                this.dropOldest(DROP_EXPIRED)
                continue
            }
            const off = q.off(s)
            const n = q.len(s)
            const qos = (q.data[off] >> 1) & 3
            if (qos > 0 && this.inflight >= this.limits.maxInflight) {
                items--
                break
            }
            let id = 0
            if (qos > 0) {
                id = this.allocId(otherInUse)
                if (id === 0) {
                    items--
                    break
                }
            }
            const ws = w.push(n)
            if (ws < 0) {
                items--
                break
            }
            const woff = w.off(ws)
            blit(w.data, woff, q.data, off, n)
            if (qos > 0) {
                const at = idOffset(w.data, woff)
                w.data[at] = id >> 8
                w.data[at + 1] = id & 0xff
                this.inflight++
            }
            w.setFlags(ws, W_STAGED | (q.flags(s) & F_TAGGED))
            w.setA(ws, q.a(s))
            w.setB(ws, 0)
            w.setC(ws, id)
            w.setD(ws, this.idSteps)
            this.pending++
            this.live--
            q.shift()
            moved += n
        }
        return items
    }

    /**
     * Finds the next run of staged window records that lie back to back in `window.data`, at most
     * maxBytes long (but at least one record); sets runFrom/runTo. False when nothing is staged.
     */
    nextRun(maxBytes: number): boolean {
        const w = this.window
        let i = this.firstStaged
        while (i < w.count && this.state(w.slot(i)) !== W_STAGED) i++
        this.firstStaged = i
        if (i >= w.count) return false
        const s0 = w.slot(i)
        this.runFirst = i
        this.runFrom = w.off(s0)
        this.runTo = this.runFrom + w.len(s0)
        i++
        while (i < w.count) {
            const s = w.slot(i)
            if (
                this.state(s) !== W_STAGED ||
                w.off(s) !== this.runTo ||
                this.runTo + w.len(s) - this.runFrom > maxBytes
            )
                break
            this.runTo += w.len(s)
            i++
        }
        this.runEnd = i
        return true
    }

    /** The run found by nextRun was written: QoS 1 packets now wait for PUBACK, QoS 0 are done. Returns its packets. */
    runWritten(nowMs: number): number {
        const w = this.window
        for (let i = this.runFirst; i < this.runEnd; i++) {
            const s = w.slot(i)
            if (w.c(s) > 0) {
                this.setState(s, W_SENT)
                w.setB(s, nowMs % U32)
            } else this.finishWindow(s, "")
        }
        this.firstStaged = this.runEnd
        this.popFinished()
        return this.runEnd - this.runFirst
    }

    /**
     * After a reconnect: every QoS 1 packet that was written and not acknowledged is staged again
     * with DUP=1 [MQTT-3.3.1-1], ahead of everything queued. Returns how many.
     */
    rewind(): number {
        const w = this.window
        let n = 0
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (this.state(s) !== W_SENT) continue
            const off = w.off(s)
            w.data[off] = w.data[off] | 0x08
            this.setState(s, W_STAGED)
            n++
        }
        this.firstStaged = 0
        return n
    }

    /** PUBACK for `id`: -1 for an id not in flight, else the ms the packet was written at (mod 2^32). */
    ack(id: number): number {
        const w = this.window
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (this.state(s) === W_SENT && w.c(s) === id) {
                const sent = w.b(s)
                this.finishWindow(s, "")
                this.popFinished()
                return sent
            }
        }
        return -1
    }

    idInUse(id: number): boolean {
        const w = this.window
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            const f = this.state(s)
            if ((f === W_STAGED || f === W_SENT) && w.c(s) === id) return true
        }
        return false
    }

    /**
     * Next free packet id, skipping ids in use (by in-flight PUBLISHes or by `otherInUse`)
     * [MQTT-2.3.1-2]; 0 when all 65535 are taken.
     */
    allocId(otherInUse: (id: number) => boolean): number {
        let id = this.lastId
        // Every id in the window was handed out at most `span` counter steps ago (the head is the
        // oldest); while the counter has not gone round since then, the next id cannot be one of
        // them, and the scan of the window (the cost of a publish on the VM) is skipped.
        const w = this.window
        const span = w.count > 0 ? (this.idSteps - w.d(w.slot(0)) + U32) % U32 : 0
        for (let n = 0; n < 65535; n++) {
            id = id >= 65535 ? 1 : id + 1
            if (otherInUse(id)) continue
            if (w.count > 0 && span + n + 1 >= 65535 && this.idInUse(id)) continue
            this.lastId = id
            this.idSteps = (this.idSteps + n + 1) % U32
            return id
        }
        return 0
    }

    /** The next id handed out will follow `id` (golden vectors start at a given id). */
    seedIds(id: number) {
        this.lastId = id
    }

    /** Drops everything (planned stop). */
    clear(reason: string) {
        const w = this.window
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (this.state(s) !== W_DONE) this.finish(w.a(s), reason, (w.flags(s) & F_TAGGED) !== 0)
        }
        while (this.queue.count > 0) this.dropOldest(reason)
        w.clear()
        this.inflight = 0
        this.pending = 0
        this.firstStaged = 0
    }

    /** Where the message with this ticket is: MSG_QUEUED, MSG_INFLIGHT, MSG_DONE, MSG_DROPPED or MSG_UNKNOWN. */
    stateOf(ticket: number): number {
        const q = this.queue
        for (let i = 0; i < q.count; i++) {
            const s = q.slot(i)
            if (q.a(s) === ticket && !(q.flags(s) & Q_DEAD)) return MSG_QUEUED
        }
        const w = this.window
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (w.a(s) === ticket && this.state(s) !== W_DONE) return MSG_INFLIGHT
        }
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
        for (let i = 0; i < OUTCOMES_KEPT; i++) if (getU32(o, i * 5) === ticket % U32 && ticket > 0) return o[i * 5 + 4]
        return -1
    }

    /** Records the end of a message: done ("") or dropped with a reason (counted). */
    private finish(ticket: number, reason: string, tagged: boolean) {
        const at = this.nextOutcome * 5
        setU32(this.outcomes, at, ticket % U32)
        this.outcomes[at + 4] = reason === "" ? 0 : 1 + DROP_REASONS.indexOf(reason)
        this.nextOutcome = (this.nextOutcome + 1) % OUTCOMES_KEPT
        if (reason !== "") this.onDrop(reason, tagged)
    }

    private finishWindow(s: number, reason: string) {
        const w = this.window
        if (w.c(s) > 0) this.inflight--
        this.pending--
        this.setState(s, W_DONE)
        this.finish(w.a(s), reason, (w.flags(s) & F_TAGGED) !== 0)
    }

    private state(s: number): number {
        return this.window.flags(s) & W_STATE
    }

    private setState(s: number, st: number) {
        this.window.setFlags(s, (this.window.flags(s) & ~W_STATE) | st)
    }

    /** Frees finished records at the window's head. */
    private popFinished() {
        const w = this.window
        while (w.count > 0 && this.state(w.slot(0)) === W_DONE) {
            w.shift()
            if (this.firstStaged > 0) this.firstStaged--
        }
    }

    private dropOldest(reason: string) {
        const q = this.queue
        const s = q.slot(0)
        const f = q.flags(s)
        if (!(f & Q_DEAD)) {
            this.live--
            this.finish(q.a(s), reason, (f & F_TAGGED) !== 0)
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
            this.finish(q.a(o), DROP_REPLACED, (f & F_TAGGED) !== 0)
        }
    }
}

/** ms from a stored (mod 2^32) time to now. */
function elapsed(nowMs: number, thenMod: number): number {
    const d = (nowMs % U32) - thenMod
    return d < 0 ? d + U32 : d
}
