/**
 * The one home of the PUBLISH byte layout (C41-C50): `encodePublish` (packet.ts) and the outbox's
 * rings (outbox.ts, window.ts) both write a PUBLISH here, and the rings patch its packet id and DUP
 * bit in place later [MQTT-3.3.1-1] through the two setters below. The golden vectors check both
 * paths (test/vectors/run-vectors.ts `ringPathHex`).
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

/** The QoS of the PUBLISH packet starting at `off`. */
export function publishQos(b: Buffer, off: number): number {
    return (b[off] >> 1) & 3
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

/** Writes the packet id of the QoS 1 PUBLISH packet starting at `off` (C14, when it is handed to a connection). */
export function setPublishId(b: Buffer, off: number, id: number) {
    const at = idOffset(b, off)
    b[at] = id >> 8
    b[at + 1] = id & 0xff
}

/** Sets DUP in the QoS 1 PUBLISH packet starting at `off`: a resend [MQTT-3.3.1-1] (C42: never at QoS 0). */
export function setPublishDup(b: Buffer, off: number) {
    b[off] = b[off] | 0x08
}
