/**
 * The byte layout of an encoded PUBLISH as the outbox keeps it in its rings: written once when
 * published, its packet id and DUP bit patched in place later [MQTT-3.3.1-1]. See outbox.ts.
 *
 * Portable: imports nothing from @devicescript/*.
 */
import { blit, blitUtf8 } from "./bytes"
import { PUBLISH, remainingLengthSize, writeRemainingLength } from "./wire"

/** Bytes of a PUBLISH packet with this topic length, payload length and QoS. */
export function publishBytes(topicBytes: number, payloadBytes: number, qos: number): number {
    // C14 [MQTT-2.3.1-5]: a packet id only at QoS > 0
    const rl = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes
    return 1 + remainingLengthSize(rl) + rl
}

/** Writes a PUBLISH (DUP=0) at d[off]; the caller reserved publishBytes(...) there. */
export function writePublish(
    d: Buffer,
    off: number,
    topic: string,
    topicBytes: number,
    payload: Buffer,
    qos: number,
    retain: boolean,
    id: number,
) {
    const rl = 2 + topicBytes + (qos > 0 ? 2 : 0) + payload.length
    d[off] = (PUBLISH << 4) | (qos << 1) | (retain ? 1 : 0)
    let p = writeRemainingLength(d, off + 1, rl)
    d[p] = topicBytes >> 8
    d[p + 1] = topicBytes & 0xff
    p = blitUtf8(d, p + 2, topic, topicBytes) // C45: topic first
    if (qos > 0) {
        // Patched in when the packet is handed to the connection, if not known yet.
        d[p] = id >> 8
        d[p + 1] = id & 0xff
        p += 2
    }
    blit(d, p, payload, 0, payload.length)
}

/** Offset of the topic's first byte in the PUBLISH packet starting at `off` (after its length prefix). */
export function topicOffset(b: Buffer, off: number): number {
    let i = off + 1
    while (b[i] & 0x80) i++
    return i + 3
}

/** Offset of the packet id in the QoS 1 PUBLISH packet starting at `off`. */
export function idOffset(b: Buffer, off: number): number {
    const t = topicOffset(b, off)
    return t + ((b[t - 2] << 8) | b[t - 1])
}
