/**
 * What the session receives once it is up: bytes into frames into packets (`receive`, with the
 * work budget), then one handler per packet type the broker sends (the aedes shape). Each
 * returns "" or a protocol violation; the session closes the connection on a violation [MQTT-4.8.0-1].
 */
import { Frame } from "./framer"
import { SLICE_ITEMS } from "./options"
import {
    decodePacket,
    DecodeError,
    isDecodeError,
    encodePuback,
    encodePubcomp,
    encodePubrec,
    InPacket,
    CONNACK,
    packetName,
    PINGRESP,
    PUBACK,
    PUBLISH,
    PUBREL,
    SUBACK,
    SUBSCRIBE,
    UNSUBACK,
    UNSUBSCRIBE,
} from "./packet"
import { errorMessage } from "./errors"
import { mod, U32 } from "./mod32"
import { countCause, INBOUND_TOO_LARGE } from "./stats"
import { REQ_DONE, subRetryDelayMs } from "./subscriptions"
import { LOG_WARN } from "./transport"
import type { Session } from "./session"

/** `oversized`: 0, or the payload size of a PUBLISH the framer kept only the head of (framer.ts). */
export function handleInbound(s: Session, p: InPacket, oversized: number): string {
    const t = p.type
    if (t === PUBACK) return onPuback(s, p)
    if (t === PUBLISH) return onPublish(s, p, oversized)
    if (t === PUBREL) return onPubrel(s, p)
    if (t === SUBACK || t === UNSUBACK) return onSubOrUnsubAck(s, p)
    if (t === PINGRESP) return ""
    if (t === CONNACK) return "second CONNACK"
    return "unexpected " + packetName(t)
}

/** QoS 1 done; an unknown id is ignored (C59). */
function onPuback(s: Session, p: InPacket): string {
    const sentMs = s.outbox.window.ack(p.id)
    if (sentMs >= 0) {
        s.stats.acked++
        s.stats.lastRttMs = mod(s.rt.now() - sentMs, U32)
        s.changed.notify()
    }
    return ""
}

/**
 * A message too large for the device is acknowledged like any other (so the broker does not
 * redeliver it after every reconnect, issue 22), counted, and reported once to the inbound-drop
 * listener; its handlers never see it.
 */
function onPublish(s: Session, p: InPacket, oversized: number): string {
    s.stats.received++
    const fresh = p.qos < 2 || s.qos2Ids.indexOf(p.id) < 0
    if (fresh && oversized > 0) {
        countCause(s.stats.inboundDrops, INBOUND_TOO_LARGE)
        s.rt.log(
            LOG_WARN,
            `mqtt: dropped a ${oversized} B message on '${p.topic}': over the ${s.opts.maxInboundBytes} B inbound limit`,
        )
        if (s.inboundDropped) s.inboundDropped.inboundDropped(p.topic, oversized, INBOUND_TOO_LARGE)
    } else if (fresh) {
        for (const h of s.subs.matching(p.topic)) {
            try {
                h(p.topic, p.payload, p.retain)
            } catch (e) {
                s.rt.log(LOG_WARN, `mqtt: message handler for ${p.topic} threw: ${errorMessage(e)}`)
            }
        }
    }
    // Acknowledge in the order received (C56); QoS 2 gets PUBREC, never PUBACK.
    if (p.qos === 1) return s.send(encodePuback(p.id), "PUBACK") ? "" : "write_failed"
    if (p.qos === 2) {
        if (fresh) s.qos2Ids.push(p.id)
        return s.send(encodePubrec(p.id), "PUBREC") ? "" : "write_failed"
    }
    return ""
}

/** Inbound QoS 2 released: the id may be delivered again. An unknown id still gets PUBCOMP. */
function onPubrel(s: Session, p: InPacket): string {
    s.qos2Ids = s.qos2Ids.filter(x => x !== p.id)
    return s.send(encodePubcomp(p.id), "PUBCOMP") ? "" : "write_failed"
}

function onSubOrUnsubAck(s: Session, p: InPacket): string {
    const r = s.subs.take(p.type === SUBACK ? SUBSCRIBE : UNSUBSCRIBE, p.id)
    if (!r) return ""
    if (p.type === SUBACK) {
        // One return code per filter, in order (C72).
        if (p.returnCodes.length !== r.filters.length) return "SUBACK return code count mismatch"
        let refused = ""
        for (let i = 0; i < p.returnCodes.length; i++) {
            const sub = s.subs.find(r.filters[i])
            if (p.returnCodes[i] !== SUBACK_REFUSED) {
                if (sub) sub.refusals = 0
                continue
            }
            // Kept, and asked for again later (outbound.ts): downlink and time sync must not stay off for the boot.
            s.stats.subscribeRefusals++
            const n = sub ? (sub.refusals || 0) + 1 : 1
            const delay = subRetryDelayMs(n)
            if (sub) {
                sub.refusals = n
                sub.retryAtMs = s.rt.now() + delay
                s.wakeAt(sub.retryAtMs)
            }
            s.rt.log(
                LOG_WARN,
                `mqtt: the broker refused the subscription to '${r.filters[i]}' (0x80); asking again in ${delay / 1000} s`,
            )
            if (!refused) refused = r.filters[i]
        }
        if (refused) {
            s.failRequest(r, `subscription to '${refused}' refused by the broker (0x80)`)
            return ""
        }
        r.granted = p.returnCodes
    }
    r.state = REQ_DONE
    s.changed.notify()
    return ""
}

/**
 * Yields every SLICE_ITEMS chunks or frames. A read that finds chunks already
 * queued returns without suspending, so a burst of inbound data (a broker
 * delivering a clean=0 session's backlog) would otherwise run the fiber
 * without a break until the VM's InfiniteLoop watchdog fires.
 */
export async function breathe(s: Session): Promise<void> {
    if (++s.link.sinceYield < SLICE_ITEMS) return
    s.link.sinceYield = 0
    await s.rt.sleep(0)
}

/** §3.9.3: the SUBACK return code of a refused filter (C72). */
const SUBACK_REFUSED = 0x80
/** An acknowledgement (PUBACK, PUBREC, PUBCOMP) is 4 bytes. */
const ACK_BYTES = 4

/**
 * Handles received bytes (none: frames left from before); returns "" or the cause for closing.
 * Stops early, leaving frames in the framer, while an answer could not be written (tx-pacer.ts).
 */
export async function receive(s: Session, chunk: Buffer | undefined): Promise<string> {
    s.link.framer.push(chunk)
    for (;;) {
        if (s.txHeld(ACK_BYTES)) return ""
        let f: Frame | null
        try {
            f = s.link.framer.next()
        } catch (e) {
            // A transient failure while taking in a packet (the VM's heap is fragmented and the body does
            // not fit) closes the connection like a violation; the stream cannot be resynchronised [MQTT-4.8.0-2] (C81).
            s.stats.protocolErrors++
            s.rt.log(LOG_WARN, `mqtt: cannot take in a packet, closing: ${errorMessage(e)}`)
            return "receive_error: " + errorMessage(e)
        }
        if (s.link.framer.error) return violation(s, s.link.framer.error)
        if (!f) return ""
        const p = decodePacket(f.firstByte, f.body)
        if (isDecodeError(p)) return violation(s, (p as DecodeError).error)
        s.link.ka.received(s.rt.now())
        const ip = p as InPacket
        const err = handleInbound(s, ip, f.size > f.body.length ? f.size - f.body.length + ip.payload.length : 0)
        // An answer (PUBACK, PUBREC, PUBCOMP) the link did not take is the link's failure, not the broker's.
        if (err) return err === "write_failed" ? err : violation(s, err)
        // Application handlers can be heavy (they may publish): yield after each delivered message.
        if (ip.type === PUBLISH) {
            s.link.sinceYield = 0
            await s.rt.sleep(0)
        } else await breathe(s)
    }
}

export function violation(s: Session, msg: string): string {
    s.stats.protocolErrors++
    s.rt.log(LOG_WARN, `mqtt: protocol violation, closing: ${msg}`)
    return "protocol_error: " + msg
}
