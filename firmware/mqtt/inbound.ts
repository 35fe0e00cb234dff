/**
 * One handler per packet type the broker sends once the session is up (the aedes shape). Each
 * returns "" or a protocol violation; the session closes the connection on a violation [MQTT-4.8.0-1].
 */
import {
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
import { REQ_DONE } from "./subscriptions"
import { LOG_WARN } from "./transport"
import type { Session } from "./session"

export function handleInbound(s: Session, p: InPacket): string {
    const t = p.type
    if (t === PUBACK) return onPuback(s, p)
    if (t === PUBLISH) return onPublish(s, p)
    if (t === PUBREL) return onPubrel(s, p)
    if (t === SUBACK || t === UNSUBACK) return onSubOrUnsubAck(s, p)
    if (t === PINGRESP) return ""
    if (t === CONNACK) return "second CONNACK"
    return "unexpected " + packetName(t)
}

/** QoS 1 done; an unknown id is ignored (C59). */
function onPuback(s: Session, p: InPacket): string {
    const sentMs = s.outbox.ack(p.id)
    if (sentMs >= 0) {
        s.stats.acked++
        s.stats.lastRttMs = (s.rt.now() % 4294967296) - sentMs
        s.changed.notify()
    }
    return ""
}

function onPublish(s: Session, p: InPacket): string {
    s.stats.received++
    const fresh = p.qos < 2 || s.qos2Ids.indexOf(p.id) < 0
    if (fresh) {
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
        for (let i = 0; i < p.returnCodes.length; i++) {
            if (p.returnCodes[i] === 0x80) {
                s.subs.remove(r.filters[i])
                s.failRequest(r, `subscription to '${r.filters[i]}' refused by the broker (0x80)`)
                return ""
            }
        }
        r.granted = p.returnCodes
    }
    r.state = REQ_DONE
    s.changed.notify()
    return ""
}
