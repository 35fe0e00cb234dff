/**
 * The MQTT 3.1.1 session: connect, keepalive, publish with QoS 0/1, resend
 * after reconnect, subscribe, Will and birth, backoff.
 *
 * Error policy: everything below this file (codec, framer, transport) fails
 * fast by returning an error or throwing; this file is the one place that
 * recovers. Any protocol violation or I/O error closes the connection and goes
 * through the same backoff path [MQTT-4.8.0-1]. The loop never reboots the
 * device and never spins: every path back to `open()` passes through a
 * jittered delay.
 *
 * Concurrency: one fiber (`run`) owns the connection. Other fibers only
 * enqueue work and call `transport.interrupt()` to wake it.
 *
 * Around it: connect.ts (CONNECT, CONNACK, what a refusal means), inbound.ts (one handler per
 * packet type from the broker), keepalive.ts, heuristics.ts (log flood, client-id conflict),
 * brokers.ts (which broker next). Readers outside the client use `snapshot()` and
 * `onConnected()`, not the outbox or the counters directly.
 */
import { brokerOf, BrokerPicker } from "./brokers"
import { Backoff, BACKOFF_CONFLICT, BACKOFF_TRANSIENT, BackoffPolicy } from "./backoff"
import { PublishOptions, SessionOptions, SLICE_ITEMS, YIELD_EVERY } from "./options"
import { connectFields, handshake, refused, resume } from "./connect"
import { errorMessage, PublishError } from "./errors"
import {
    closedByBroker,
    earnedBackoffReset,
    endedByViolation,
    isShortSession,
    RepeatedFailures,
    SHORT_SESSION_MS,
    SHORT_SESSIONS_WARN,
} from "./heuristics"
import { ackDueIn, ackTimeoutFor } from "./ack-watch"
import { breathe, receive, violation } from "./inbound"
import { flush, gracefulStop } from "./outbound"
import { KA_DEAD, KA_PING } from "./keepalive"
import { Link } from "./link"
import { Outbox } from "./outbox"
import { ADD_REPLACE, ADD_RETAIN, ADD_TAGGED, DROP_STOPPED, MSG_DONE, MSG_DROPPED, MSG_UNKNOWN } from "./outbox-codes"
import {
    encodeConnect,
    encodePingreq,
    InPacket,
    isDecodeError,
    DecodeError,
    PUBLISH,
    SUBSCRIBE,
    UNSUBSCRIBE,
} from "./packet"
import { MessageHandler, REQ_DONE, REQ_FAILED, REQ_PENDING, Request, Subscriptions } from "./subscriptions"
import { validTopicFilter } from "./topic"
import { LOG_DEBUG, LOG_INFO, LOG_WARN, Runtime, Signal, Transport } from "./transport"
import { without } from "./list"
import { TopicCache } from "./topic-cache"
import { newStats, SessionSnapshot, SessionStats, countCause } from "./stats"
import { ST_AUTH_FAILED, ST_BACKOFF, ST_CONFIG_ERROR, ST_CONNECTED, ST_CONNECTING, ST_IDLE, ST_STOPPED } from "./states"

export { ST_AUTH_FAILED, ST_BACKOFF, ST_CONFIG_ERROR, ST_CONNECTED, ST_CONNECTING, ST_IDLE, ST_STOPPED } from "./states"
export { SESSION_DEFAULTS, SLICE_BYTES, SLICE_ITEMS, TX_MAX_BYTES } from "./options"
export type { BirthMessage, PublishOptions, SessionOptions } from "./options"

/** Told of each message from the broker that was acknowledged and not delivered (inbound.ts). */
export interface InboundDropListener {
    inboundDropped(topic: string, bytes: number, cause: string): void
}

/** Told after every CONNACK (see Session.onConnected). */
export interface ConnectedListener {
    connected(): void
}

export class Session {
    state = ST_IDLE
    readonly stats: SessionStats = newStats()
    readonly outbox: Outbox
    readonly subs = new Subscriptions()
    /** Last error or disconnect cause, for diagnostics. */
    lastError = ""
    /** Told of inbound messages dropped (a listener object, not a closure: see onConnected). */
    inboundDropped: InboundDropListener | null = null

    // Shared with connect.ts and inbound.ts, which work on the session; not for other readers.
    /** The state of the current connection (link.ts), reset when a connection starts. */
    readonly link: Link
    readonly backoff: Backoff
    readonly transient: BackoffPolicy
    readonly changed: Signal
    stopRequested = false
    /** Inbound QoS 2 ids between PUBREC and PUBREL: delivered once only. */
    qos2Ids: number[] = []
    readonly idInUse: (id: number) => boolean
    /** A QoS 1 PUBLISH or a (UN)SUBSCRIBE unanswered this long on a live link closes it (ack-watch.ts). */
    readonly ackTimeoutMs: number

    private readonly failures = new RepeatedFailures()
    /** Short sessions in a row (heuristics.ts). */
    private shortSessions = 0
    private roomCalls = 0
    readonly topics = new TopicCache()
    private readonly brokers: BrokerPicker
    /** The last connection lasted `stableMs`: the picker goes back to the first choice. */
    private wasStable = false
    private readonly onConnect: ConnectedListener[] = []
    private readonly snap: SessionSnapshot

    constructor(
        readonly opts: SessionOptions,
        readonly transport: Transport,
        readonly rt: Runtime,
        signal: Signal,
    ) {
        this.changed = signal
        this.link = new Link(opts.maxInboundBytes, opts.keepAliveS * 1000)
        this.ackTimeoutMs = opts.ackTimeoutMs > 0 ? opts.ackTimeoutMs : ackTimeoutFor(opts.keepAliveS)
        this.brokers = new BrokerPicker(
            opts.brokers.length > 0 ? opts.brokers : [brokerOf(opts.host, opts.port, opts.tls)],
        )
        const base = opts.retryBaseMs
        this.transient = {
            baseMs: base,
            capMs: opts.retryCapMs,
            floorMs: base < BACKOFF_TRANSIENT.floorMs ? base : BACKOFF_TRANSIENT.floorMs,
        }
        this.backoff = new Backoff(this.transient)
        const stats = this.stats
        this.snap = { stats, queue: 0, queueBytes: 0, inflight: 0, readingsAcked: 0, subsRefused: [] }
        this.outbox = new Outbox(opts, (reason, tagged) => {
            countCause(stats.drops, reason)
            if (tagged) countCause(stats.taggedDrops, reason)
            rt.log(LOG_DEBUG, `mqtt: dropped a message: ${reason}`)
        })
        const subs = this.subs
        this.idInUse = id => subs.idInUse(id)
        // Validate everything the CONNECT will carry now: a bad config is a clear error at start, not a loop of failures.
        encodeConnect(connectFields(opts))
    }

    /**
     * Queues a PUBLISH, encoded once into the outbox. Throws on an invalid topic or QoS. Returns
     * the message's ticket: stateOf(ticket) becomes MSG_DONE on PUBACK (QoS 1) or once written
     * (QoS 0), or MSG_DROPPED with a dropReason.
     */
    publish(topic: string, payload: Buffer, o: PublishOptions): number {
        if (o.qos !== 0 && o.qos !== 1) throw new Error(`unsupported publish QoS ${o.qos}`)
        const tb = this.topics.bytes(topic)
        if (tb < 0) throw new Error(`invalid topic name '${topic}'`)
        const tagged = o.tagged === true
        if (this.stopRequested) return this.outbox.refuse(DROP_STOPPED, tagged)
        const flags = o.qos | (o.retain ? ADD_RETAIN : 0) | (o.replace ? ADD_REPLACE : 0) | (tagged ? ADD_TAGGED : 0)
        const t = this.outbox.add(topic, tb, payload, o.ttlMs, this.rt.now(), flags)
        this.transport.interrupt()
        return t
    }

    /**
     * The birth message again (retained, QoS 1), as after every CONNACK (connect.ts `resume`): when
     * something said otherwise while the device is connected (status-keeper.ts). A newer one waiting
     * in the queue replaces this one.
     */
    republishBirth(): number {
        const b = this.opts.birth
        if (!b) return 0
        return this.publish(b.topic, b.payload, { qos: 1, retain: b.retain, ttlMs: 0, replace: true })
    }

    /** MSG_QUEUED, MSG_INFLIGHT, MSG_DONE, MSG_DROPPED or MSG_UNKNOWN (finished long ago). */
    stateOf(ticket: number): number {
        return this.outbox.stateOf(ticket)
    }

    /** Why a ticket was dropped ("" if it was not, or is forgotten). */
    dropReason(ticket: number): string {
        return this.outbox.dropReason(ticket)
    }

    /** Waits until the message is acknowledged (resolves) or dropped (throws a PublishError with the reason). */
    async waitFor(ticket: number, topic = ""): Promise<void> {
        for (;;) {
            const st = this.outbox.stateOf(ticket)
            if (st === MSG_DONE || st === MSG_UNKNOWN) return
            if (st === MSG_DROPPED) throw new PublishError(topic, this.outbox.dropReason(ticket))
            await this.changed.wait(60000)
        }
    }

    /**
     * Backpressure for bursts: waits until the outbox holds fewer than `n`
     * messages (queued plus in flight), so a producer can pace itself instead
     * of having its oldest messages dropped. It yields at least every
     * YIELD_EVERY calls, so a producer loop built on it never trips the VM's
     * InfiniteLoop watchdog.
     */
    async waitForRoom(n: number): Promise<void> {
        if (++this.roomCalls >= YIELD_EVERY) {
            this.roomCalls = 0
            await this.rt.sleep(0)
        }
        while (this.outbox.count() >= n && !this.stopRequested) await this.changed.wait(1000)
    }

    /**
     * Counters, queue depth and messages in flight, for diagnostics. The same object every call,
     * refreshed: read it, do not keep it.
     */
    snapshot(): SessionSnapshot {
        const o = this.outbox
        const s = this.snap
        s.queue = o.count()
        s.queueBytes = o.bytes()
        s.inflight = o.window.inflight
        s.readingsAcked = o.taggedDone
        s.subsRefused = this.subs.refused()
        return s
    }

    /**
     * `l.connected()` runs after every CONNACK, in the connection fiber, once the session is
     * resumed: it must only note the fact and wake its own fiber, never wait. A listener object,
     * not a closure: a closure would hold its creator's frame on the heap for good.
     */
    onConnected(l: ConnectedListener) {
        this.onConnect.push(l)
    }

    /** Subscribes (QoS 0 or 1; this client does not request QoS 2). Returns the request; see waitRequest. */
    subscribe(filter: string, qos: number, handler: MessageHandler): Request {
        if (!validTopicFilter(filter)) throw new Error(`invalid topic filter '${filter}'`)
        if (qos !== 0 && qos !== 1) throw new Error(`unsupported subscribe QoS ${qos}`)
        this.subs.add({ filter, qos, handler })
        return this.request(SUBSCRIBE, [filter], [qos])
    }

    unsubscribe(filter: string): Request {
        if (!validTopicFilter(filter)) throw new Error(`invalid topic filter '${filter}'`)
        this.subs.remove(filter)
        return this.request(UNSUBSCRIBE, [filter], [])
    }

    /** Waits for SUBACK/UNSUBACK; throws on a 0x80 return code (C72) or a stop. */
    async waitRequest(r: Request): Promise<number[]> {
        while (r.state !== REQ_DONE) {
            if (r.state === REQ_FAILED) throw new Error(r.error)
            await this.changed.wait(60000)
        }
        return r.granted
    }

    /** Planned stop: publish the offline status, DISCONNECT (so no Will), close. */
    stop() {
        this.stopRequested = true
        this.transport.interrupt()
        this.changed.notify()
    }

    isConnected(): boolean {
        return this.link.connected
    }

    /**
     * The supervisor: connects, runs the connection, backs off, and again,
     * until `stop()`. The only place that recovers from failures.
     */
    async run(): Promise<void> {
        while (!this.stopRequested) {
            this.wasStable = false
            const cause = await this.connectOnce()
            this.link.connected = false
            this.transport.close()
            this.brokers.ended(this.wasStable)
            if (this.stopRequested) break
            this.lastError = cause
            countCause(this.stats.disconnects, causeKey(cause))
            await this.waitBackoff()
        }
        this.outbox.clear(DROP_STOPPED)
        for (const r of this.subs.requests) this.failRequest(r, "stopped")
        this.setState(ST_STOPPED, "stop requested")
        this.changed.notify()
    }

    private async waitBackoff() {
        const delay = this.backoff.next(this.rt.random())
        // The same failure again is logged once per LOG_REPEAT_EVERY attempts, not as a flood.
        const f = this.failures
        f.failed(this.lastError)
        const attempt = f.repeats > 0 ? ` [attempt ${f.repeats + 1}]` : ""
        this.rt.log(
            f.quiet ? LOG_DEBUG : LOG_INFO,
            `mqtt: ${this.state === ST_CONNECTING ? "retrying" : "reconnecting"} in ${delay} ms (${this.lastError})${attempt}`,
        )
        if (this.state !== ST_AUTH_FAILED && this.state !== ST_CONFIG_ERROR) this.setState(ST_BACKOFF, this.lastError)
        const until = this.rt.now() + delay
        while (!this.stopRequested && this.rt.now() < until) {
            await this.changed.wait(until - this.rt.now())
        }
    }

    /** One connection from open to loss. Returns the cause; "" after a planned stop. */
    private async connectOnce(): Promise<string> {
        const b = this.brokers.current()
        this.setState(ST_CONNECTING, b.url)
        this.link.reset()
        this.stats.connectAttempts++
        try {
            await this.transport.open(b.host, b.port, b.tls, this.opts.connectTimeoutMs)
        } catch (e) {
            this.backoff.policy = this.transient
            return "connect_failed: " + errorMessage(e)
        }
        const connack = await handshake(this)
        if (isDecodeError(connack)) return (connack as DecodeError).error
        const ack = connack as InPacket
        if (ack.returnCode !== 0) return refused(this, ack.returnCode)
        // A clean session cannot be present: the broker is confused, do not trust its state (C39).
        if (this.opts.clean && ack.sessionPresent) return violation(this, "session present with clean session")

        const upSince = this.rt.now()
        const ackedBefore = this.stats.acked
        this.link.connected = true
        this.stats.connects++
        this.setState(ST_CONNECTED, (ack.sessionPresent ? "session present, " : "new session, ") + b.url)
        resume(this, ack.sessionPresent)
        for (const l of this.onConnect) l.connected()
        // Packets that arrived in the same chunk as the CONNACK (a clean=0 session's queued
        // messages) are handled now, not when some later chunk happens to arrive.
        const early = await receive(this, undefined)
        const cause = early ? early : await this.connectedLoop()
        const lasted = this.rt.now() - upSince
        if (lasted >= this.opts.stableMs) {
            this.wasStable = true
            this.backoff.reset(this.transient)
            this.shortSessions = 0
        } else if (earnedBackoffReset(this.stats.acked > ackedBefore, cause, this.transport.closeReason())) {
            this.backoff.reset(this.transient)
            this.shortSessions = 0
        } else if (isShortSession(lasted, cause)) {
            this.stats.shortSessions++
            // Reset by the network, not closed by the broker: no takeover, and the run is broken.
            if (!closedByBroker(this.transport.closeReason())) return this.breakRun(cause)
            // The backoff already grows; say what is likely going on (heuristics.ts, S12).
            const n = ++this.shortSessions
            if (n === SHORT_SESSIONS_WARN)
                this.rt.log(
                    LOG_WARN,
                    `mqtt: the broker closed ${SHORT_SESSIONS_WARN} sessions within ${SHORT_SESSION_MS} ms of CONNACK: is another client using client id '${this.opts.clientId}'?`,
                )
            if (n >= SHORT_SESSIONS_WARN) {
                if (this.backoff.policy !== BACKOFF_CONFLICT) this.backoff.reset(BACKOFF_CONFLICT)
                return "id_conflict_suspected"
            }
        } else if (endedByViolation(cause)) return this.breakRun(cause)
        return cause
    }

    /**
     * A session that shows no takeover ends the run of short sessions and, if one was suspected, the
     * conflict's backoff: the transient policy goes on from the same attempt, so the wait stays within
     * its cap instead of the conflict's 2 minutes (issue 30).
     */
    private breakRun(cause: string): string {
        this.shortSessions = 0
        if (this.backoff.policy === BACKOFF_CONFLICT) this.backoff.policy = this.transient
        return cause
    }

    private async connectedLoop(): Promise<string> {
        const link = this.link
        const ka = link.ka
        for (;;) {
            if (this.stopRequested) return gracefulStop(this)
            const sendErr = await flush(this)
            if (sendErr) return sendErr
            const k = ka.check(this.rt.now())
            if (k === KA_DEAD) return "keepalive_timeout"
            if (k === KA_PING && !this.send(encodePingreq(), "PINGREQ")) return "write_failed"
            const now = this.rt.now()
            const due = ackDueIn(this, now)
            if (due === 0) return this.ackTimedOut()
            let wake = ka.nextWakeMs(now)
            if (due > 0 && now + due < wake) wake = now + due
            if (link.wakeAtMs > 0 && link.wakeAtMs < wake) wake = link.wakeAtMs
            link.wakeAtMs = 0
            const chunk = await this.transport.read(wake - now)
            if (chunk === null) return "connection_lost"
            // Frames left in the framer while the pacer held their answers are taken up again.
            if (chunk || link.framer.buffered() > 0) {
                const err = await receive(this, chunk)
                if (err) return err
                await breathe(this)
            }
        }
    }

    /** An answer is overdue on a live link: close it, the reconnect resends (ack-watch.ts). */
    private ackTimedOut(): string {
        this.rt.log(
            LOG_WARN,
            `mqtt: the broker has not acknowledged a packet for ${this.ackTimeoutMs} ms on a live link: reconnecting to resend it`,
        )
        return "ack_timeout"
    }

    request(type: number, filters: string[], qos: number[]): Request {
        const r: Request = { type, id: 0, filters, qos, state: REQ_PENDING, sentAtMs: 0, granted: [], error: "" }
        this.subs.requests.push(r)
        this.transport.interrupt()
        return r
    }

    failRequest(r: Request, error: string) {
        r.state = REQ_FAILED
        r.error = error
        this.subs.requests = without(this.subs.requests, r)
        this.changed.notify()
    }

    /** Writes one packet; false when the transport failed. Traces show type and length only, never payloads. */
    send(data: Buffer, name: string): boolean {
        try {
            this.transport.write(data)
        } catch (e) {
            this.rt.log(LOG_DEBUG, `mqtt: write of ${name} failed: ${errorMessage(e)}`)
            return false
        }
        const now = this.rt.now()
        this.link.ka.lastSentMs = now
        this.link.pacer.wrote(data.length, now)
        return true
    }

    /** True when `n` bytes must wait for the peer (tx-pacer.ts); the connection loop then wakes in time. */
    txHeld(n: number): boolean {
        const now = this.rt.now()
        const ms = this.link.pacer.waitMs(n, now)
        if (ms === 0) return false
        this.wakeAt(now + ms)
        return true
    }

    /** The connection loop looks again at `t` at the latest. */
    wakeAt(t: number) {
        this.link.wakeAt(t)
    }

    setState(next: string, reason: string) {
        if (next === this.state) return
        const retryLoop = next === ST_CONNECTING || next === ST_BACKOFF
        this.rt.log(
            this.failures.quiet && retryLoop ? LOG_DEBUG : LOG_INFO,
            `mqtt: ${this.state} -> ${next} (${reason})`,
        )
        if (next === ST_CONNECTED) this.failures.connected()
        this.state = next
        this.changed.notify()
    }
}

/** "protocol_error: invalid flags" -> "protocol_error", for the counters. */
function causeKey(cause: string): string {
    const i = cause.indexOf(":")
    return i < 0 ? cause : cause.slice(0, i)
}
