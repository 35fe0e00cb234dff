/**
 * Turns the shared vectors into codec calls and comparable strings, so the Node tests and the
 * on-VM tests run exactly the same checks. Portable: imports only the firmware codec.
 */
import { Framer } from "../../firmware/mqtt/framer"
import {
    CONNACK,
    ConnectOptions,
    InPacket,
    PINGRESP,
    PUBLISH,
    SUBACK,
    decodePacket,
    encodeConnect,
    encodeDisconnect,
    encodePingreq,
    encodePuback,
    encodePubcomp,
    encodePublish,
    encodePubrec,
    encodePubrel,
    encodeSubscribe,
    encodeUnsubscribe,
    isDecodeError,
    packetName,
} from "../../firmware/mqtt/packet"
import { publishBytes, setPublishDup, setPublishId, writePublish } from "../../firmware/mqtt/publish-record"
import { utf8Length } from "../../firmware/mqtt/utf8"
import { EncodeVector } from "./codec-vectors"

function num(x: number | undefined): number {
    return x === undefined ? 0 : x
}

function flag(x: boolean | undefined): boolean {
    return x === true
}

/** Vector payloads and passwords are ASCII text. */
export function textBuffer(s: string | undefined): Buffer {
    return Buffer.from(s === undefined ? "" : s)
}

export function connectOptions(v: EncodeVector): ConnectOptions {
    const o: ConnectOptions = {
        clientId: v.clientId === undefined ? "" : v.clientId,
        keepAliveS: num(v.keepAliveS),
        clean: flag(v.clean),
    }
    if (v.username !== undefined) o.username = v.username
    if (v.password !== undefined) o.password = textBuffer(v.password)
    const w = v.will
    if (w !== undefined)
        o.will = {
            topic: w.topic,
            payload: textBuffer(w.payload),
            qos: w.qos,
            retain: w.retain,
        }
    return o
}

/** Calls the encoder the vector names; throws what the encoder throws. */
export function encodeVector(v: EncodeVector): Buffer {
    const id = num(v.id)
    const filters = v.filters === undefined ? [] : v.filters
    if (v.kind === "connect") return encodeConnect(connectOptions(v))
    if (v.kind === "publish")
        return encodePublish({
            topic: v.topic === undefined ? "" : v.topic,
            payload: textBuffer(v.payload),
            qos: num(v.qos),
            retain: flag(v.retain),
            dup: flag(v.dup),
            id: id,
        })
    if (v.kind === "puback") return encodePuback(id)
    if (v.kind === "pubrec") return encodePubrec(id)
    if (v.kind === "pubrel") return encodePubrel(id)
    if (v.kind === "pubcomp") return encodePubcomp(id)
    if (v.kind === "subscribe") return encodeSubscribe(id, filters, v.qoss === undefined ? [] : v.qoss)
    if (v.kind === "unsubscribe") return encodeUnsubscribe(id, filters)
    if (v.kind === "pingreq") return encodePingreq()
    if (v.kind === "disconnect") return encodeDisconnect()
    throw new Error(`unknown vector kind ${v.kind}`)
}

/**
 * Hex of a valid PUBLISH vector as the outbox's rings hold it (the path every reading takes, outbox.ts):
 * written inside a larger buffer at an offset with id 0, the id patched in when it is staged, DUP set
 * as a resend after a reconnect does (window.ts rewind). Must equal the vector's golden bytes.
 */
export function ringPathHex(v: EncodeVector): string {
    const payload = textBuffer(v.payload)
    const topic = v.topic === undefined ? "" : v.topic
    const tb = utf8Length(topic)
    const qos = num(v.qos)
    const n = publishBytes(tb, payload.length, qos)
    const ring = Buffer.alloc(n + 8)
    for (let i = 0; i < ring.length; i++) ring[i] = 0xee
    writePublish(ring, 5, topic, tb, payload, qos, flag(v.retain), 0)
    if (qos > 0) setPublishId(ring, 5, num(v.id))
    if (qos > 0 && flag(v.dup)) setPublishDup(ring, 5)
    return ring.slice(5, 5 + n).toString("hex")
}

/** Hex of the encoded packet, or "throws: <message>". */
export function tryEncode(v: EncodeVector): string {
    try {
        return encodeVector(v).toString("hex")
    } catch (e) {
        return `throws: ${(e as Error).message}`
    }
}

function bit(b: boolean): string {
    return b ? "1" : "0"
}

/** One-line, runtime-independent description of a decoded packet (format in decode-vectors.ts). */
export function summarize(p: InPacket): string {
    if (p.type === CONNACK) return `CONNACK sp=${bit(p.sessionPresent)} rc=${p.returnCode}`
    if (p.type === PUBLISH)
        return `PUBLISH topic=${p.topic} qos=${p.qos} id=${p.id} dup=${bit(p.dup)} retain=${bit(p.retain)} payload=${p.payload.toString("hex")}`
    if (p.type === SUBACK) return `SUBACK id=${p.id} rcs=${p.returnCodes.join(",")}`
    if (p.type === PINGRESP) return "PINGRESP"
    return `${packetName(p.type)} id=${p.id}`
}

/** Splits stream at the given offsets (ascending), pushes each piece, and summarizes every frame. */
export function runStream(stream: number[], cuts: number[], maxPacketBytes: number): string[] {
    const out: string[] = []
    const framer = new Framer(maxPacketBytes)
    let start = 0
    for (let c = 0; c <= cuts.length; c++) {
        const end = c < cuts.length ? cuts[c] : stream.length
        framer.push(Buffer.from(stream.slice(start, end)))
        start = end
        let f = framer.next()
        while (f !== null) {
            const p = decodePacket(f.firstByte, f.body)
            out.push(isDecodeError(p) ? `error: ${p.error}` : summarize(p as InPacket))
            f = framer.next()
        }
        if (framer.error !== "") {
            out.push(`error: ${framer.error}`)
            break
        }
    }
    return out
}

/** The first result of a whole packet pushed in one chunk: a summary or the bare error string. */
export function decodeOne(stream: number[], maxPacketBytes: number): string {
    const r = runStream(stream, [], maxPacketBytes)
    if (r.length === 0) return "incomplete"
    const first = r[0]
    return first.indexOf("error: ") === 0 ? first.slice(7) : first
}
