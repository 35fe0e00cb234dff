/**
 * Analysis of a VM's socket writes (host-sim wire tap): packets, writes per
 * packet, and PUBLISH bytes against the minimal MQTT encoding of the same
 * topic, QoS and payload.
 */
import { frameHeader } from "../firmware/mqtt/framer.ts"

export interface WireStats {
    writes: number
    packets: number
    publishes: number
    writesPerPacket: number
    /** Bytes of PUBLISH packets / minimal bytes for the same messages. */
    wireRatio: number
}

function rlSize(n: number): number {
    return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4
}

/** Minimal encoded size of a PUBLISH [MQTT-2.2.3, 3.3]. */
export function minimalPublishSize(topicBytes: number, payloadBytes: number, qos: number): number {
    const body = 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes
    return 1 + rlSize(body) + body
}

export function analyseWire(lines: string[]): WireStats {
    const chunks = lines.map(l => Buffer.from(l.split(" ")[1] ?? "", "hex"))
    const all = Buffer.concat(chunks)
    let packets = 0
    let publishes = 0
    let publishBytes = 0
    let minimal = 0
    let o = 0
    for (;;) {
        const h = frameHeader(all, o)
        if (h.headerBytes <= 0) break
        const len = h.remaining
        const total = h.headerBytes + len
        if (o + total > all.length) break
        const type = all[o] >> 4
        packets++
        if (type === 3) {
            const qos = (all[o] >> 1) & 3
            const body = o + h.headerBytes
            const topicLen = all.readUInt16BE(body)
            const payloadLen = len - 2 - topicLen - (qos > 0 ? 2 : 0)
            publishes++
            publishBytes += total
            minimal += minimalPublishSize(topicLen, payloadLen, qos)
        }
        o += total
    }
    return {
        writes: chunks.length,
        packets,
        publishes,
        writesPerPacket: packets ? chunks.length / packets : NaN,
        wireRatio: minimal ? publishBytes / minimal : NaN,
    }
}

export function percentile(sorted: number[], p: number): number {
    if (sorted.length === 0) return NaN
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}
