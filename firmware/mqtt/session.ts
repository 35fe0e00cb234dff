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
 */
import { Broker, brokerOf, BrokerPicker } from "./brokers"
import { Backoff, BACKOFF_AUTH, BACKOFF_CONFIG, BACKOFF_CONFLICT, BACKOFF_TRANSIENT, BackoffPolicy } from "./backoff"
import { PublishError } from "./errors"
import { Frame, Framer } from "./framer"
import { copyOut } from "./bytes"
import { ADD_REPLACE, ADD_RETAIN, ADD_TAGGED, ADD_NO_EVICT, DROP_STOPPED, MSG_DONE, MSG_DROPPED, MSG_UNKNOWN, Outbox } from "./outbox"
import {
    CONNACK,
    DISCONNECT,
    decodePacket,
    encodeConnect,
    encodeDisconnect,
    encodePingreq,
    encodePuback,
    encodePubcomp,
    encodePublish,
    encodePubrec,
    encodeSubscribe,
    encodeUnsubscribe,
    InPacket,
    isDecodeError,
    DecodeError,
    packetName,
    PINGRESP,
    PUBACK,
    PUBLISH,
    PUBREL,
    SUBACK,
    SUBSCRIBE,
    UNSUBACK,
    UNSUBSCRIBE,
    Will,
} from "./packet"
import { MessageHandler, REQ_DONE, REQ_FAILED, REQ_PENDING, REQ_SENT, Request, Subscriptions } from "./subscriptions"
import { validTopicFilter } from "./topic"
import { LOG_DEBUG, LOG_INFO, LOG_WARN, Runtime, Signal, Transport } from "./transport"
import { without } from "./list"
import { TopicCache } from "./topic-cache"
import { newStats, SessionStats, countCause } from "./stats"

export const ST_IDLE = "idle"
export const ST_CONNECTING = "connecting"
export const ST_CONNECTED = "connected"
export const ST_BACKOFF = "backoff"
export const ST_AUTH_FAILED = "auth_failed"
export const ST_CONFIG_ERROR = "config_error"
export const ST_STOPPED = "stopped"

export interface BirthMessage {
    topic: string
    payload: Buffer
    retain: boolean
}

export interface SessionOptions {
    host: string
    port: number
    tls: boolean
    /** MQTT_HOSTS, parsed at boot (brokers.ts); empty: the one broker above. */
    brokers: Broker[]
    clientId: string
    username: string
    /** Never logged, never placed in any payload. */
    password: Buffer | null
    keepAliveS: number
    clean: boolean
    will: Will | null
    /** Published (QoS 1) after every CONNACK, ahead of queued messages. */
    birth: BirthMessage | null
    /** Payload published retained to the birth topic on a planned stop, before DISCONNECT. */
    offlinePayload: Buffer | null
    maxInflight: number
    queueMaxCount: number
    queueMaxBytes: number
    /** Bytes handed to the socket and not finished (QoS 1 until PUBACK): paces writes by bytes. */
    windowBytes: number
    /** Largest PUBLISH sent (also bounded by the window). */
    maxPacketBytes: number
    /** Largest packet received: a larger one closes the connection (C81). Commands are small. */
    maxInboundBytes: number
    connectTimeoutMs: number
    /** A connection that lasted this long resets the backoff. */
    stableMs: number
    /** Transient failures: full-jitter backoff from this base up to the cap. */
    retryBaseMs: number
    retryCapMs: number
}

export const SESSION_DEFAULTS: SessionOptions = {
    host: "127.0.0.1",
    port: 1883,
    tls: false,
    brokers: [],
    clientId: "",
    username: "",
    password: null,
    keepAliveS: 30,
    clean: false,
    will: null,
    birth: null,
    offlinePayload: null,
    maxInflight: 32,
    queueMaxCount: 80,
    queueMaxBytes: 10240,
    windowBytes: 1400,
    maxPacketBytes: 1400,
    maxInboundBytes: 1024,
    connectTimeoutMs: 10000,
    stableMs: 60000,
    retryBaseMs: BACKOFF_TRANSIENT.baseMs,
    retryCapMs: BACKOFF_TRANSIENT.capMs,
}

/** Ping after this fraction of the keepalive without traffic: margin for VM/GC jitter (C35). */
const PING_FRACTION = 0.75
/**
 * Work budget of one fiber run: at most SLICE_ITEMS packets staged or written, or inbound frames
 * handled, and SLICE_BYTES bytes, then the loop yields. The VM's watchdog counts opcodes (128 K per
 * fiber run, the same on ESP32 and Pico W); copies are native, so the cost is per packet
 * bookkeeping: `npm run bench` measures how many packets one fiber run can take (step_margin).
 */
export const SLICE_ITEMS = 8
export const SLICE_BYTES = 4096
/** Producer calls (waitForRoom) between two yields. */
const YIELD_EVERY = 16
/** Largest socket write: consecutive packets go out together up to this size (ESP32 TLS needs < 4096). */
export const TX_MAX_BYTES = 1024
/** A failure that repeats is logged at info level once per this many attempts. */
const LOG_REPEAT_EVERY = 10
/** A session closed by the broker this soon after CONNACK counts as "short" (S12). */
const SHORT_SESSION_MS = 5000
/** After this many short sessions in a row the client suspects a client-id conflict. */
const SHORT_SESSIONS_WARN = 3

export interface PublishOptions {
    qos: number
    retain: boolean
    /** Drop the message if it waited longer than this while queued (0 = never). */
    ttlMs: number
    /** A newer message to the same topic replaces an older queued one (discovery, status). */
    replace: boolean
    /** Drops of tagged messages are also counted in stats.taggedDrops (telemetry readings: the loss ledger). */
    tagged?: boolean
    /**
     * false: a full queue refuses this message rather than drop the oldest queued one for it. For
     * status messages a newer one replaces (diagnostics, time requests), so they never push a
     * reading out, and a backlog stays one contiguous range of drops (S3).
     */
    evict?: boolean
}

export class Session {
    state = ST_IDLE
    readonly stats: SessionStats = newStats()
    readonly outbox: Outbox
    readonly subs = new Subscriptions()
    /** Last error or disconnect cause, for diagnostics. */
    lastError = ""

    private readonly framer: Framer
    private readonly backoff: Backoff
    private readonly transient: BackoffPolicy
    private readonly changed: Signal
    private stopRequested = false
    private connected = false
    private lastSentMs = 0
    private lastRecvMs = 0
    private pingDeadlineMs = 0
    /** Inbound QoS 2 ids between PUBREC and PUBREL: delivered once only. */
    private qos2Ids: number[] = []
    /** Chunks and frames handled since the connection fiber last yielded (see `breathe`). */
    private sinceYield = 0
    private repeatCause = ""
    private repeats = 0
    private quiet = false
    private roomCalls = 0
    private shortSessions = 0
    private readonly topics = new TopicCache()
    private readonly idInUse: (id: number) => boolean
    private readonly brokers: BrokerPicker
    /** The last connection lasted `stableMs`: the picker goes back to the first choice. */
    private wasStable = false

    constructor(
        readonly opts: SessionOptions,
        private readonly transport: Transport,
        private readonly rt: Runtime,
        signal: Signal
    ) {
        this.changed = signal
        this.framer = new Framer(opts.maxInboundBytes)
        this.brokers = new BrokerPicker(opts.brokers.length > 0 ? opts.brokers : [brokerOf(opts.host, opts.port, opts.tls)])
        const base = opts.retryBaseMs
        this.transient = { baseMs: base, capMs: opts.retryCapMs, floorMs: base < BACKOFF_TRANSIENT.floorMs ? base : BACKOFF_TRANSIENT.floorMs }
        this.backoff = new Backoff(this.transient)
        const stats = this.stats
        this.outbox = new Outbox(
            { queueBytes: opts.queueMaxBytes, queueMax: opts.queueMaxCount, windowBytes: opts.windowBytes, maxInflight: opts.maxInflight, maxPacketBytes: opts.maxPacketBytes },
            (reason, tagged) => {
                countCause(stats.drops, reason)
                if (tagged) countCause(stats.taggedDrops, reason)
                rt.log(LOG_DEBUG, `mqtt: dropped a message: ${reason}`)
            }
        )
        const subs = this.subs
        this.idInUse = id => subs.idInUse(id)
        // Validate everything the CONNECT will carry now: a bad config is a clear error at start, not a loop of failures.
        encodeConnect(this.connectOptions())
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
        const flags = o.qos | (o.retain ? ADD_RETAIN : 0) | (o.replace ? ADD_REPLACE : 0) | (tagged ? ADD_TAGGED : 0) | (o.evict === false ? ADD_NO_EVICT : 0)
        const t = this.outbox.add(topic, tb, payload, o.ttlMs, this.rt.now(), flags)
        this.transport.interrupt()
        return t
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
        if (++this.roomCalls % YIELD_EVERY === 0) await this.rt.sleep(0)
        while (this.outbox.count() >= n && !this.stopRequested) await this.changed.wait(1000)
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
        return this.connected
    }

    /**
     * The supervisor: connects, runs the connection, backs off, and again,
     * until `stop()`. The only place that recovers from failures.
     */
    async run(): Promise<void> {
        while (!this.stopRequested) {
            this.wasStable = false
            const cause = await this.connectOnce()
            this.connected = false
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
        const repeat = this.lastError === this.repeatCause
        this.repeats = repeat ? this.repeats + 1 : 0
        this.repeatCause = this.lastError
        this.quiet = repeat && this.repeats % LOG_REPEAT_EVERY !== 0
        const attempt = this.repeats > 0 ? ` [attempt ${this.repeats + 1}]` : ""
        this.rt.log(
            this.quiet ? LOG_DEBUG : LOG_INFO,
            `mqtt: ${this.state === ST_CONNECTING ? "retrying" : "reconnecting"} in ${delay} ms (${this.lastError})${attempt}`
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
        this.framer.reset()
        this.stats.connectAttempts++
        try {
            await this.transport.open(b.host, b.port, b.tls, this.opts.connectTimeoutMs)
        } catch (e) {
            this.backoff.policy = this.transient
            return "connect_failed: " + errorMessage(e)
        }
        // CONNECT is the first packet on every connection [MQTT-3.1.0-1], sent once [MQTT-3.1.0-2].
        const connack = await this.handshake()
        if (isDecodeError(connack)) return (connack as DecodeError).error
        const ack = connack as InPacket
        if (ack.returnCode !== 0) return this.refused(ack.returnCode)
        // A clean session cannot be present: the broker is confused, do not trust its state (C39).
        if (this.opts.clean && ack.sessionPresent) return this.violation("session present with clean session")

        const upSince = this.rt.now()
        this.connected = true
        this.stats.connects++
        this.setState(ST_CONNECTED, (ack.sessionPresent ? "session present, " : "new session, ") + b.url)
        this.resumeSession(ack.sessionPresent)
        // Packets that arrived in the same chunk as the CONNACK (a clean=0 session's queued
        // messages) are handled now, not when some later chunk happens to arrive.
        const early = await this.receive(Buffer.alloc(0))
        const cause = early ? early : await this.connectedLoop()
        const lasted = this.rt.now() - upSince
        if (lasted >= this.opts.stableMs) {
            this.wasStable = true
            this.backoff.reset(this.transient)
            this.shortSessions = 0
        } else if (cause === "connection_lost" && lasted < SHORT_SESSION_MS) {
            // A broker that closes a fresh session again and again usually means a second client with our id
            // takes the session over [MQTT-3.1.4-2] (S12). The backoff already grows; say what is likely going on.
            this.shortSessions++
            this.stats.shortSessions++
            if (this.shortSessions === SHORT_SESSIONS_WARN)
                this.rt.log(LOG_WARN, `mqtt: the broker closed ${SHORT_SESSIONS_WARN} sessions within ${SHORT_SESSION_MS} ms of CONNACK: is another client using client id '${this.opts.clientId}'?`)
            if (this.shortSessions >= SHORT_SESSIONS_WARN) {
                if (this.backoff.policy !== BACKOFF_CONFLICT) this.backoff.reset(BACKOFF_CONFLICT)
                return "id_conflict_suspected"
            }
        }
        return cause
    }

    private connectOptions() {
        return {
            clientId: this.opts.clientId,
            keepAliveS: this.opts.keepAliveS,
            clean: this.opts.clean,
            // No credentials: no user name field at all. An empty one is a login as user "" to
            // brokers with a user list (NATS with no_auth_user refuses it with CONNACK 4).
            username: this.opts.username || this.opts.password ? this.opts.username : undefined,
            password: this.opts.password ? this.opts.password : undefined,
            will: this.opts.will ? this.opts.will : undefined,
        }
    }

    /** Sends CONNECT and waits for CONNACK; a decode error (or timeout) otherwise. */
    private async handshake(): Promise<InPacket | DecodeError> {
        if (!this.send(encodeConnect(this.connectOptions()), "CONNECT")) return { error: "write failed" }
        const deadline = this.rt.now() + this.opts.connectTimeoutMs
        for (;;) {
            const left = deadline - this.rt.now()
            if (left <= 0) return { error: "connack_timeout" }
            const chunk = await this.transport.read(left)
            if (this.stopRequested) return { error: "stopped" }
            if (chunk === null) return { error: "closed before CONNACK" }
            if (!chunk) continue
            this.framer.push(chunk)
            const f = this.framer.next()
            if (this.framer.error) return { error: this.framer.error }
            if (!f) continue
            const p = decodePacket(f.firstByte, f.body)
            if (isDecodeError(p)) return p
            if ((p as InPacket).type !== CONNACK) return { error: "first packet is not CONNACK" }
            this.lastRecvMs = this.rt.now()
            return p
        }
    }

    private refused(rc: number): string {
        this.stats.connackRefusals++
        if (rc === 4 || rc === 5) {
            if (this.state !== ST_AUTH_FAILED) this.backoff.reset(BACKOFF_AUTH)
            this.setState(ST_AUTH_FAILED, `CONNACK ${rc}: ${rc === 4 ? "bad user name or password" : "not authorized"}`)
        } else if (rc === 1 || rc === 2) {
            if (this.state !== ST_CONFIG_ERROR) this.backoff.reset(BACKOFF_CONFIG)
            this.setState(ST_CONFIG_ERROR, `CONNACK ${rc}: ${rc === 1 ? "protocol level refused" : "client id rejected"}`)
        } else {
            this.backoff.policy = this.transient
        }
        return `connack_refused_${rc}`
    }

    /**
     * After CONNACK: unacknowledged PUBLISHes go first, in order, same id,
     * DUP=1 [MQTT-4.4.0-1][MQTT-2.3.1-3]. With session-present 0 the broker
     * forgot them, and we still resend them (at least once beats lost), then
     * subscriptions are sent again exactly once (C76). Then the birth message.
     */
    private resumeSession(sessionPresent: boolean) {
        this.pingDeadlineMs = 0
        // Written by the next flush, in order, in runs, with the work budget.
        this.stats.retransmits += this.outbox.rewind()
        for (const r of this.subs.requests) if (r.state === REQ_SENT) r.state = REQ_PENDING
        if (!sessionPresent) {
            this.qos2Ids = []
            // Subscriptions already carried by pending requests are not repeated.
            const filters: string[] = []
            const qos: number[] = []
            for (const s of this.subs.subs) {
                if (!this.pendingFor(s.filter)) {
                    filters.push(s.filter)
                    qos.push(s.qos)
                }
            }
            if (filters.length > 0) this.request(SUBSCRIBE, filters, qos)
        }
        const b = this.opts.birth
        // Birth goes ahead of queued telemetry.
        if (b) this.outbox.addFirst(b.topic, this.topics.bytes(b.topic), b.payload, b.retain, this.idInUse)
    }

    private pendingFor(filter: string): boolean {
        for (const r of this.subs.requests) if (r.type === SUBSCRIBE && r.filters.indexOf(filter) >= 0) return true
        return false
    }

    private async connectedLoop(): Promise<string> {
        for (;;) {
            if (this.stopRequested) return this.gracefulStop()
            const sendErr = await this.flush()
            if (sendErr) return sendErr
            const now = this.rt.now()
            if (this.pingDeadlineMs > 0 && now >= this.pingDeadlineMs) return "keepalive_timeout"
            const kaMs = this.opts.keepAliveS * 1000
            if (kaMs > 0 && this.pingDeadlineMs === 0) {
                const idleSend = now - this.lastSentMs >= kaMs * PING_FRACTION
                // Also ping when nothing arrived for a while although we keep sending:
                // a downstream black hole would otherwise go unnoticed (S4).
                const idleRecv = now - this.lastRecvMs >= kaMs * PING_FRACTION
                if (idleSend || idleRecv) {
                    if (!this.send(encodePingreq(), "PINGREQ")) return "write_failed"
                    // Half-open link detected within 1.5 x keepalive (C36).
                    this.pingDeadlineMs = now + kaMs * (1.5 - PING_FRACTION)
                }
            }
            const chunk = await this.transport.read(this.nextWakeMs() - this.rt.now())
            if (chunk === null) return "connection_lost"
            if (chunk) {
                const err = await this.receive(chunk)
                if (err) return err
                await this.breathe()
            }
        }
    }

    /**
     * Yields every SLICE_ITEMS chunks or frames. A read that finds chunks already
     * queued returns without suspending, so a burst of inbound data (a broker
     * delivering a clean=0 session's backlog) would otherwise run the fiber
     * without a break until the VM's InfiniteLoop watchdog fires.
     */
    private async breathe(): Promise<void> {
        if (++this.sinceYield < SLICE_ITEMS) return
        this.sinceYield = 0
        await this.rt.sleep(0)
    }

    private nextWakeMs(): number {
        const kaMs = this.opts.keepAliveS * 1000
        let t = this.rt.now() + 60000
        if (kaMs > 0) {
            if (this.pingDeadlineMs > 0) t = Math.min(t, this.pingDeadlineMs)
            else t = Math.min(t, Math.min(this.lastSentMs, this.lastRecvMs) + kaMs * PING_FRACTION)
        }
        return Math.max(t, this.rt.now() + 1)
    }

    /**
     * Sends pending requests, then moves queued packets into the window and writes them, runs of
     * consecutive packets in one write, while the window has room. Yields after SLICE_ITEMS packets
     * or SLICE_BYTES bytes, so a reconnect with a full queue never trips the VM's watchdog.
     */
    private async flush(): Promise<string> {
        for (const r of this.subs.requests) {
            if (r.state !== REQ_PENDING) continue
            r.id = this.allocId()
            const pkt = r.type === SUBSCRIBE ? encodeSubscribe(r.id, r.filters, r.qos) : encodeUnsubscribe(r.id, r.filters)
            if (!this.send(pkt, packetName(r.type))) return "write_failed"
            r.state = REQ_SENT
        }
        const o = this.outbox
        let items = 0
        let bytes = 0
        let wrote = false
        for (;;) {
            while (o.nextRun(TX_MAX_BYTES)) {
                if (!this.send(copyOut(o.window.data, o.runFrom, o.runTo), "PUBLISH")) return "write_failed"
                const n = o.runWritten(this.rt.now())
                this.stats.published += n
                wrote = true
                items += n
                bytes += o.runTo - o.runFrom
                if (items >= SLICE_ITEMS || bytes >= SLICE_BYTES) {
                    items = 0
                    bytes = 0
                    await this.rt.sleep(0)
                    if (this.stopRequested || !this.connected) return ""
                }
            }
            const n = o.stage(this.rt.now(), SLICE_BYTES - bytes, SLICE_ITEMS - items, this.idInUse)
            if (n === 0) break
            items += n
        }
        // QoS 0 messages finished: a producer waiting for room may go on.
        if (wrote) this.changed.notify()
        return ""
    }

    private allocId(): number {
        return this.outbox.allocId(this.idInUse)
    }

    /** Handles received bytes; returns "" or the cause for closing. */
    private async receive(chunk: Buffer): Promise<string> {
        this.framer.push(chunk)
        for (;;) {
            let f: Frame | null
            try {
                f = this.framer.next()
            } catch (e) {
                // A transient failure while taking in a packet (the VM's heap is fragmented and the body does
                // not fit) closes the connection like a violation; the stream cannot be resynchronised [MQTT-4.8.0-2] (C81).
                this.stats.protocolErrors++
                this.rt.log(LOG_WARN, `mqtt: cannot take in a packet, closing: ${errorMessage(e)}`)
                return "receive_error: " + errorMessage(e)
            }
            if (this.framer.error) return this.violation(this.framer.error)
            if (!f) return ""
            const p = decodePacket(f.firstByte, f.body)
            if (isDecodeError(p)) return this.violation((p as DecodeError).error)
            this.lastRecvMs = this.rt.now()
            // Any inbound packet proves the link is alive.
            this.pingDeadlineMs = 0
            const err = this.handle(p as InPacket)
            if (err) return this.violation(err)
            // Application handlers can be heavy (they may publish): yield after each delivered message.
            if ((p as InPacket).type === PUBLISH) {
                this.sinceYield = 0
                await this.rt.sleep(0)
            } else await this.breathe()
        }
    }

    private violation(msg: string): string {
        this.stats.protocolErrors++
        this.rt.log(LOG_WARN, `mqtt: protocol violation, closing: ${msg}`)
        return "protocol_error: " + msg
    }

    private handle(p: InPacket): string {
        const t = p.type
        if (t === PUBACK) {
            const sentMs = this.outbox.ack(p.id)
            if (sentMs >= 0) {
                this.stats.acked++
                this.stats.lastRttMs = (this.rt.now() % 4294967296) - sentMs
                this.changed.notify()
            }
            return ""
        }
        if (t === PUBLISH) return this.onPublish(p)
        if (t === PUBREL) {
            this.qos2Ids = this.qos2Ids.filter(x => x !== p.id)
            return this.send(encodePubcomp(p.id), "PUBCOMP") ? "" : "write_failed"
        }
        if (t === SUBACK || t === UNSUBACK) {
            const r = this.subs.take(t === SUBACK ? SUBSCRIBE : UNSUBSCRIBE, p.id)
            if (!r) return ""
            if (t === SUBACK) {
                // One return code per filter, in order (C72).
                if (p.returnCodes.length !== r.filters.length) return "SUBACK return code count mismatch"
                for (let i = 0; i < p.returnCodes.length; i++) {
                    if (p.returnCodes[i] === 0x80) {
                        this.subs.remove(r.filters[i])
                        this.failRequest(r, `subscription to '${r.filters[i]}' refused by the broker (0x80)`)
                        return ""
                    }
                }
                r.granted = p.returnCodes
            }
            r.state = REQ_DONE
            this.changed.notify()
            return ""
        }
        if (t === PINGRESP) return ""
        if (t === CONNACK) return "second CONNACK"
        return "unexpected " + packetName(t)
    }

    private onPublish(p: InPacket): string {
        this.stats.received++
        const fresh = p.qos < 2 || this.qos2Ids.indexOf(p.id) < 0
        if (fresh) {
            for (const h of this.subs.matching(p.topic)) {
                try {
                    h(p.topic, p.payload, p.retain)
                } catch (e) {
                    this.rt.log(LOG_WARN, `mqtt: message handler for ${p.topic} threw: ${errorMessage(e)}`)
                }
            }
        }
        // Acknowledge in the order received (C56); QoS 2 gets PUBREC, never PUBACK.
        if (p.qos === 1) return this.send(encodePuback(p.id), "PUBACK") ? "" : "write_failed"
        if (p.qos === 2) {
            if (fresh) this.qos2Ids.push(p.id)
            return this.send(encodePubrec(p.id), "PUBREC") ? "" : "write_failed"
        }
        return ""
    }

    private gracefulStop(): string {
        const b = this.opts.birth
        if (b && this.opts.offlinePayload)
            this.send(
                encodePublish({ topic: b.topic, payload: this.opts.offlinePayload, qos: 0, retain: true, dup: false, id: 0 }),
                "PUBLISH"
            )
        // After DISCONNECT nothing more is sent, and the connection is closed [MQTT-3.14.4-1/-2].
        this.send(encodeDisconnect(), "DISCONNECT")
        return ""
    }

    private request(type: number, filters: string[], qos: number[]): Request {
        const r: Request = { type, id: 0, filters, qos, state: REQ_PENDING, granted: [], error: "" }
        this.subs.requests.push(r)
        this.transport.interrupt()
        return r
    }

    private failRequest(r: Request, error: string) {
        r.state = REQ_FAILED
        r.error = error
        this.subs.requests = without(this.subs.requests, r)
        this.changed.notify()
    }

    /** Writes one packet; false when the transport failed. Traces show type and length only, never payloads. */
    private send(data: Buffer, name: string): boolean {
        try {
            this.transport.write(data)
        } catch (e) {
            this.rt.log(LOG_DEBUG, `mqtt: write of ${name} failed: ${errorMessage(e)}`)
            return false
        }
        this.lastSentMs = this.rt.now()
        return true
    }

    private setState(next: string, reason: string) {
        if (next === this.state) return
        const retryLoop = next === ST_CONNECTING || next === ST_BACKOFF
        this.rt.log(this.quiet && retryLoop ? LOG_DEBUG : LOG_INFO, `mqtt: ${this.state} -> ${next} (${reason})`)
        if (next === ST_CONNECTED) {
            this.quiet = false
            this.repeatCause = ""
        }
        this.state = next
        this.changed.notify()
    }
}

function errorMessage(e: unknown): string {
    const m = (e as Error).message
    return m ? m : "" + e
}

/** "protocol_error: invalid flags" -> "protocol_error", for the counters. */
function causeKey(cause: string): string {
    const i = cause.indexOf(":")
    return i < 0 ? cause : cause.slice(0, i)
}
