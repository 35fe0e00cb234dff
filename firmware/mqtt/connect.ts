/**
 * CONNECT, CONNACK and what a refusal means: the part of a connection attempt between the open
 * socket and the first packet of the session.
 */
import { BACKOFF_AUTH, BACKOFF_CONFIG } from "./backoff"
import { violation } from "./inbound"
import { CONNACK, decodePacket, DecodeError, encodeConnect, InPacket, isDecodeError, SUBSCRIBE } from "./packet"
import { REQ_PENDING, REQ_SENT } from "./subscriptions"
import { SessionOptions } from "./options"
import type { Session } from "./session"
import { ST_AUTH_FAILED, ST_CONFIG_ERROR } from "./states"

/** The CONNECT fields from the options. */
export function connectFields(o: SessionOptions) {
    return {
        clientId: o.clientId,
        keepAliveS: o.keepAliveS,
        clean: o.clean,
        // No credentials: no user name field at all. An empty one is a login as user "" to
        // brokers with a user list (NATS with no_auth_user refuses it with CONNACK 4).
        username: o.username || o.password ? o.username : undefined,
        password: o.password ? o.password : undefined,
        will: o.will ? o.will : undefined,
    }
}

/**
 * Sends CONNECT, the first packet on every connection [MQTT-3.1.0-1] and sent once [MQTT-3.1.0-2],
 * and waits for CONNACK; otherwise the disconnect cause, spelt as every other (snake_case, a bad
 * packet as `protocol_error: …` like one after CONNACK: one diagnostics key per cause, issue 23).
 */
export async function handshake(s: Session): Promise<InPacket | DecodeError> {
    // A write that finds the link dead comes before the report of why it died: then wait (within
    // the connect timeout) for the close, to say why.
    const wrote = s.send(encodeConnect(connectFields(s.opts)), "CONNECT")
    const deadline = s.rt.now() + s.opts.connectTimeoutMs
    for (;;) {
        const left = deadline - s.rt.now()
        if (left <= 0) return wrote ? { error: "connack_timeout" } : failedBeforeConnack(s, "write_failed")
        const chunk = await s.transport.read(left)
        if (s.stopRequested) return { error: "stopped" }
        if (chunk === null) return failedBeforeConnack(s, wrote ? "closed_before_connack" : "write_failed")
        if (!chunk || !wrote) continue
        s.link.framer.push(chunk)
        const f = s.link.framer.next()
        if (s.link.framer.error) return { error: violation(s, s.link.framer.error) }
        if (!f) continue
        const p = decodePacket(f.firstByte, f.body)
        if (isDecodeError(p)) return { error: violation(s, (p as DecodeError).error) }
        if ((p as InPacket).type !== CONNACK) return { error: violation(s, "first packet is not CONNACK") }
        s.link.ka.received(s.rt.now())
        return p
    }
}

/**
 * The link went before any CONNACK. Closed by an error (a TLS handshake refused after the TCP
 * connect was reported as open, as the simulator's and Pico W's runtimes do): the connection
 * failed, and the error says why. Otherwise `what` happened.
 */
function failedBeforeConnack(s: Session, what: string): DecodeError {
    const why = s.transport.closeReason()
    return { error: why ? "connect_failed: " + why : what }
}

/**
 * The refusal policy (checklist "CONNACK 4 and 5"): 4/5 are wrong credentials, retried no faster
 * than BACKOFF_AUTH; 1/2 a configuration error, retried hourly; anything else (3: server
 * unavailable) is transient. Returns the disconnect cause.
 */
export function refused(s: Session, rc: number): string {
    s.stats.connackRefusals++
    if (rc === 4 || rc === 5) {
        if (s.state !== ST_AUTH_FAILED) s.backoff.reset(BACKOFF_AUTH)
        s.setState(ST_AUTH_FAILED, `CONNACK ${rc}: ${rc === 4 ? "bad user name or password" : "not authorized"}`)
    } else if (rc === 1 || rc === 2) {
        if (s.state !== ST_CONFIG_ERROR) s.backoff.reset(BACKOFF_CONFIG)
        s.setState(ST_CONFIG_ERROR, `CONNACK ${rc}: ${rc === 1 ? "protocol level refused" : "client id rejected"}`)
    } else {
        s.backoff.policy = s.transient
    }
    return `connack_refused_${rc}`
}

/**
 * After CONNACK: unacknowledged PUBLISHes go first, in order, same id,
 * DUP=1 [MQTT-4.4.0-1][MQTT-2.3.1-3]. With session-present 0 the broker
 * forgot them, and we still resend them (at least once beats lost), then
 * subscriptions are sent again exactly once (C76). Then the birth message.
 */
export function resume(s: Session, sessionPresent: boolean) {
    // Written by the next flush, in order, in runs, with the work budget.
    s.stats.retransmits += s.outbox.window.rewind()
    for (const r of s.subs.requests) if (r.state === REQ_SENT) r.state = REQ_PENDING
    if (!sessionPresent) {
        s.qos2Ids = []
        // Subscriptions already carried by pending requests are not repeated.
        const filters: string[] = []
        const qos: number[] = []
        for (const sub of s.subs.subs) {
            // A new session asks for every subscription at once, refused ones too.
            sub.retryAtMs = 0
            if (!pendingFor(s, sub.filter)) {
                filters.push(sub.filter)
                qos.push(sub.qos)
            }
        }
        if (filters.length > 0) s.request(SUBSCRIBE, filters, qos)
    }
    const b = s.opts.birth
    // Birth goes ahead of queued telemetry.
    if (b) s.outbox.addFirst(b.topic, s.topics.bytes(b.topic), b.payload, b.retain, s.idInUse)
}

function pendingFor(s: Session, filter: string): boolean {
    for (const r of s.subs.requests) if (r.type === SUBSCRIBE && r.filters.indexOf(filter) >= 0) return true
    return false
}
