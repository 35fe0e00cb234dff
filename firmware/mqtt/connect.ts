/**
 * CONNECT, CONNACK and what a refusal means: the part of a connection attempt between the open
 * socket and the first packet of the session.
 */
import { BACKOFF_AUTH, BACKOFF_CONFIG } from "./backoff"
import { CONNACK, decodePacket, DecodeError, encodeConnect, InPacket, isDecodeError } from "./packet"
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
 * and waits for CONNACK; a decode error (or timeout) otherwise.
 */
export async function handshake(s: Session): Promise<InPacket | DecodeError> {
    if (!s.send(encodeConnect(connectFields(s.opts)), "CONNECT")) return { error: "write failed" }
    const deadline = s.rt.now() + s.opts.connectTimeoutMs
    for (;;) {
        const left = deadline - s.rt.now()
        if (left <= 0) return { error: "connack_timeout" }
        const chunk = await s.transport.read(left)
        if (s.stopRequested) return { error: "stopped" }
        if (chunk === null) return { error: "closed before CONNACK" }
        if (!chunk) continue
        s.framer.push(chunk)
        const f = s.framer.next()
        if (s.framer.error) return { error: s.framer.error }
        if (!f) continue
        const p = decodePacket(f.firstByte, f.body)
        if (isDecodeError(p)) return p
        if ((p as InPacket).type !== CONNACK) return { error: "first packet is not CONNACK" }
        s.ka.received(s.rt.now())
        return p
    }
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
