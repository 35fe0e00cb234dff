/**
 * The outbox's window: PUBLISH packets handed to the connection, in one PacketRing allocated at
 * boot (WINDOW_BYTES). A QoS 1 packet stays here, with its packet id, until its PUBACK
 * [MQTT-2.3.1-3] and is resent first, same id, DUP=1, after a reconnect [MQTT-4.4.0-1]; a QoS 0
 * packet leaves once written. At most `maxInflight` QoS 1 packets and WINDOW_BYTES bytes are
 * outstanding: the window paces the socket by bytes (a Pico W closes its socket when too much is
 * unacknowledged) as well as by count. Records are contiguous, so a run of staged packets goes to
 * the socket in one write, and a resend patches the DUP bit in place.
 *
 * The window also hands out packet ids (1..65535, skipping ids in use [MQTT-2.3.1-2]).
 *
 * Portable: no DeviceScript imports.
 */
import { mod, U32 } from "./mod32"
import { PacketRing, RF_1, RF_2, RF_3, RF_4 } from "./packet-ring"
import { setPublishDup } from "./publish-record"

/** Window records beyond the QoS 1 in-flight limit: QoS 0 packets staged for writing. */
const WINDOW_EXTRA_RECORDS = 16

/** Either ring's record flag: the message is tagged (its drops are also counted apart, e.g. readings). */
export const F_TAGGED = 0x10
/** Record states (the low bits of the flags). */
const W_STATE = 0x0f
const W_STAGED = 1
const W_SENT = 2
const W_DONE = 3

export { U32 } from "./mod32"

// Record fields (packet-ring.ts); TICKET is the same field in the queue (outbox.ts).
export const TICKET = RF_1
/** ms the packet was written at (mod 2^32). */
const SENT_AT = RF_2
/** Packet id; 0 for QoS 0. */
export const PACKET_ID = RF_3
/** The id counter's steps when the id was taken (allocId). */
const ID_STEPS = RF_4

export interface WindowOwner {
    /** A message ended: done ("") or dropped with a reason. */
    finish(ticket: number, reason: string, tagged: boolean): void
}

export class Window {
    readonly ring: PacketRing
    /** QoS 1 records that wait for a PUBACK (staged or sent). */
    inflight = 0
    /** Records that are not finished (staged or sent). */
    pending = 0
    /** Index (from the oldest) of the first record that may be staged. */
    private firstStaged = 0
    /** Last id handed out; ids cycle 1..65535 [MQTT-2.3.1-1]. */
    lastId = 0
    /** Steps the id counter has taken (mod 2^32); each record keeps the value at its id. */
    private idSteps = 0
    /** Set by nextRun: the run of staged records [runFirst, runEnd) and its bytes [runFrom, runTo). */
    runFrom = 0
    runTo = 0
    private runFirst = 0
    private runEnd = 0

    constructor(
        bytes: number,
        readonly maxInflight: number,
        /** Told when a message ends. */
        private readonly owner: WindowOwner,
    ) {
        this.ring = new PacketRing(bytes, maxInflight + WINDOW_EXTRA_RECORDS)
    }

    /**
     * Takes n bytes for a staged packet and returns where to write it in ring.data, or -1 when the
     * window has no room (bytes, records, or QoS 1 packets in flight) or no packet id is free. A
     * QoS 1 packet's id is then in `lastId`; an id taken for a packet that does not fit is given
     * back, so none is spent on a packet that stays queued.
     */
    push(n: number, ticket: number, qos1: boolean, tagged: boolean, otherInUse: (id: number) => boolean): number {
        if (qos1 && this.inflight >= this.maxInflight) return -1
        const lastId = this.lastId
        const idSteps = this.idSteps
        const id = qos1 ? this.allocId(otherInUse) : 0
        if (qos1 && id === 0) return -1
        const w = this.ring
        const s = w.push(n)
        if (s < 0) {
            // No room: the id is given back (the counter as it was).
            this.lastId = lastId
            this.idSteps = idSteps
            return -1
        }
        w.setFlags(s, W_STAGED | (tagged ? F_TAGGED : 0))
        w.setField(s, TICKET, ticket)
        w.setField(s, SENT_AT, 0)
        w.setField(s, PACKET_ID, id)
        w.setField(s, ID_STEPS, this.idSteps)
        if (qos1) this.inflight++
        this.pending++
        return w.off(s)
    }

    /**
     * Finds the next run of staged records that lie back to back in `ring.data`, at most
     * maxBytes long (but at least one record); sets runFrom/runTo. False when nothing is staged.
     */
    nextRun(maxBytes: number): boolean {
        const w = this.ring
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
        const w = this.ring
        for (let i = this.runFirst; i < this.runEnd; i++) {
            const s = w.slot(i)
            if (w.field(s, PACKET_ID) > 0) {
                this.setState(s, W_SENT)
                w.setField(s, SENT_AT, mod(nowMs, U32))
            } else this.finishRecord(s, "")
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
        const w = this.ring
        let n = 0
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (this.state(s) !== W_SENT) continue
            setPublishDup(w.data, w.off(s))
            this.setState(s, W_STAGED)
            n++
        }
        this.firstStaged = 0
        return n
    }

    /** PUBACK for `id`: -1 for an id not in flight, else the ms the packet was written at (mod 2^32). */
    ack(id: number): number {
        const s = this.find(PACKET_ID, id)
        // Ids are unique among unfinished records; one staged again by rewind() is not in flight.
        if (s < 0 || this.state(s) !== W_SENT) return -1
        const sent = this.ring.field(s, SENT_AT)
        this.finishRecord(s, "")
        this.popFinished()
        return sent
    }

    /** ms (mod 2^32) the oldest QoS 1 packet waiting for its PUBACK was written at; -1 when none waits. */
    oldestSentAt(): number {
        const w = this.ring
        // Records are written in ring order, so the first one sent is the oldest.
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (this.state(s) === W_SENT) return w.field(s, SENT_AT)
        }
        return -1
    }

    idInUse(id: number): boolean {
        return this.find(PACKET_ID, id) >= 0
    }

    /** Whether the message with this ticket is here and not finished. */
    holds(ticket: number): boolean {
        return this.find(TICKET, ticket) >= 0
    }

    /** Slot of the unfinished record whose field `f` is `v`, or -1. */
    private find(f: number, v: number): number {
        const w = this.ring
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (w.field(s, f) === v && this.state(s) !== W_DONE) return s
        }
        return -1
    }

    /**
     * Next free packet id, skipping ids in use (by in-flight PUBLISHes or by `otherInUse`)
     * [MQTT-2.3.1-2]; 0 when all 65535 are taken.
     */
    allocId(otherInUse: (id: number) => boolean): number {
        let id = this.lastId
        // Every id here was handed out at most `span` counter steps ago (the head is the oldest);
        // while the counter has not gone round since then, the next id cannot be one of them, and
        // the scan of the ring (the cost of a publish on the VM) is skipped.
        const w = this.ring
        const span = w.count > 0 ? mod(this.idSteps - w.field(w.slot(0), ID_STEPS), U32) : 0
        for (let n = 0; n < 65535; n++) {
            id = id >= 65535 ? 1 : id + 1
            if (otherInUse(id)) continue
            if (w.count > 0 && span + n + 1 >= 65535 && this.idInUse(id)) continue
            this.lastId = id
            this.idSteps = mod(this.idSteps + n + 1, U32)
            return id
        }
        return 0
    }

    /** The next id handed out will follow `id` (golden vectors start at a given id). */
    seedIds(id: number) {
        this.lastId = id
    }

    /** Ends every unfinished message with `reason` and empties the ring (planned stop). */
    clear(reason: string) {
        const w = this.ring
        for (let i = 0; i < w.count; i++) {
            const s = w.slot(i)
            if (this.state(s) !== W_DONE) this.owner.finish(w.field(s, TICKET), reason, (w.flags(s) & F_TAGGED) !== 0)
        }
        w.clear()
        this.inflight = 0
        this.pending = 0
        this.firstStaged = 0
    }

    private finishRecord(s: number, reason: string) {
        const w = this.ring
        if (w.field(s, PACKET_ID) > 0) this.inflight--
        this.pending--
        this.setState(s, W_DONE)
        this.owner.finish(w.field(s, TICKET), reason, (w.flags(s) & F_TAGGED) !== 0)
    }

    private state(s: number): number {
        return this.ring.flags(s) & W_STATE
    }

    private setState(s: number, st: number) {
        this.ring.setFlags(s, (this.ring.flags(s) & ~W_STATE) | st)
    }

    /** Frees finished records at the head. */
    private popFinished() {
        const w = this.ring
        while (w.count > 0 && this.state(w.slot(0)) === W_DONE) {
            w.shift()
            if (this.firstStaged > 0) this.firstStaged--
        }
    }
}
