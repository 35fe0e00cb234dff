/**
 * MQTT 3.1.1 codec for a client: encodes every packet a client sends and decodes, strictly, every
 * packet a client receives. Pure: no I/O, no timers, no state. Each encoder computes the length,
 * allocates once and writes by index. Encoders throw on invalid input so nothing malformed reaches
 * the wire; the decoder never throws and returns a DecodeError with a stable message instead.
 *
 * Portable: imports nothing from @devicescript/* or node; only the Buffer subset shared by both
 * runtimes (alloc, from, index read/write, length, slice, toString).
 */
import {
    CONNECT,
    DISCONNECT,
    MAX_UINT16,
    PINGREQ,
    PUBACK,
    PUBCOMP,
    PUBLISH,
    PUBREC,
    PUBREL,
    SUBSCRIBE,
    UNSUBSCRIBE,
    allocPacket,
    bodyOffset,
    isInt,
    write16,
    writeBinary,
    writeString,
} from "./wire"
import { publishBytes, setPublishDup, writePublish } from "./publish-record"
import { topicFilterError, topicNameError } from "./topic"
import { MAX_STRING_BYTES, UTF8_INVALID, utf8Length } from "./utf8"

const PROTOCOL_LEVEL_311 = 4 // §3.1.2.2
const CONNECT_FIXED_VARIABLE_HEADER_BYTES = 10 // 00 04 'MQTT', level, flags, keepalive (2)
const FLAG_USERNAME = 0x80
const FLAG_PASSWORD = 0x40
const FLAG_WILL_RETAIN = 0x20
const FLAG_WILL = 0x04
const FLAG_CLEAN = 0x02

export interface Will {
    topic: string
    payload: Buffer
    qos: number
    retain: boolean
}

export interface ConnectOptions {
    clientId: string
    keepAliveS: number
    clean: boolean
    username?: string
    password?: Buffer
    will?: Will
}

export interface Publish {
    topic: string
    payload: Buffer
    qos: number
    retain: boolean
    dup: boolean
    /** 0 when qos is 0 (C14, [MQTT-2.3.1-5]) */
    id: number
}

function present<T>(x: T | undefined | null): x is T {
    return x !== undefined && x !== null
}

/** UTF-8 length of a string field, or throws naming the field (C01, C02, C04). */
function stringBytes(s: string, what: string): number {
    if (typeof s !== "string") throw new Error(`${what} must be a string`)
    const n = utf8Length(s)
    if (n === UTF8_INVALID)
        throw new Error(`${what} holds a lone surrogate, U+0000 or a non-character [MQTT-1.5.3-1] [MQTT-1.5.3-2]`)
    if (n > MAX_STRING_BYTES) throw new Error(`${what} is ${n} bytes, max ${MAX_STRING_BYTES} (C04)`)
    return n
}

function binaryBytes(b: Buffer, what: string): number {
    if (!present(b)) throw new Error(`${what} must be a Buffer`)
    if (b.length > MAX_UINT16) throw new Error(`${what} is ${b.length} bytes, max ${MAX_UINT16} (C34)`)
    return b.length
}

function checkId(id: number, what: string): void {
    // C11 [MQTT-2.3.1-1]: non-zero 16-bit packet identifier
    if (!isInt(id, 1, MAX_UINT16)) throw new Error(`${what} packet id must be 1..65535 [MQTT-2.3.1-1]`)
}

/** CONNECT (C17-C35). Throws on options a server would reject or that cannot be encoded. */
export function encodeConnect(o: ConnectOptions): Buffer {
    const cid = stringBytes(o.clientId, "client id")
    // C32 [MQTT-3.1.3-7]: a zero-byte client id only with a clean session
    if (cid === 0 && !o.clean) throw new Error("empty client id requires clean session [MQTT-3.1.3-7]")
    // C35: keepalive is 16 bits
    if (!isInt(o.keepAliveS, 0, MAX_UINT16)) throw new Error("keepalive must be 0..65535 s (C35)")
    let flags = o.clean ? FLAG_CLEAN : 0
    let rl = CONNECT_FIXED_VARIABLE_HEADER_BYTES + 2 + cid
    const w = o.will
    let wt = 0
    if (present(w)) {
        // C33 [MQTT-3.1.3-10]: the will topic is a Topic Name (no wildcards, not empty)
        const te = typeof w.topic === "string" ? topicNameError(w.topic) : "not a string"
        if (te !== "") throw new Error(`will topic: ${te} (C33)`)
        // C25 [MQTT-3.1.2-14]: will QoS is 0, 1 or 2
        if (!isInt(w.qos, 0, 2)) throw new Error("will QoS must be 0, 1 or 2 [MQTT-3.1.2-14]")
        wt = utf8Length(w.topic)
        rl += 2 + wt + 2 + binaryBytes(w.payload, "will message")
        flags |= FLAG_WILL | (w.qos << 3) | (w.retain ? FLAG_WILL_RETAIN : 0)
    }
    let un = 0
    if (present(o.username)) {
        un = stringBytes(o.username, "user name")
        rl += 2 + un
        flags |= FLAG_USERNAME
    }
    if (present(o.password)) {
        // C28 [MQTT-3.1.2-22]: never send a password without a user name, never drop it silently
        if (!present(o.username)) throw new Error("password without user name [MQTT-3.1.2-22]")
        rl += 2 + binaryBytes(o.password, "password")
        flags |= FLAG_PASSWORD
    }

    const b = allocPacket(CONNECT << 4, rl) // C05: CONNECT flags are 0
    let p = bodyOffset(rl)
    p = writeString(b, p, "MQTT", 4) // C19 protocol name
    b[p++] = PROTOCOL_LEVEL_311
    b[p++] = flags // C20: bit 0 reserved, left 0 [MQTT-3.1.2-3]
    p = write16(b, p, o.keepAliveS)
    // C29 [MQTT-3.1.3-1]: client id, will topic, will message, user name, password
    p = writeString(b, p, o.clientId, cid)
    if (present(w)) {
        p = writeString(b, p, w.topic, wt)
        p = writeBinary(b, p, w.payload)
    }
    if (present(o.username)) p = writeString(b, p, o.username, un)
    if (present(o.password)) writeBinary(b, p, o.password)
    return b
}

/**
 * Bytes this PUBLISH takes on the wire, for queue accounting; -1 when the topic is not a valid
 * Topic Name (such a message can never be encoded).
 */
export function encodedPublishLength(topic: string, payloadLength: number, qos: number): number {
    if (topicNameError(topic) !== "") return -1
    return publishBytes(utf8Length(topic), payloadLength, qos)
}

/** PUBLISH (C41-C50): checked here, laid out by publish-record.ts, the one home of its bytes. */
export function encodePublish(m: Publish): Buffer {
    const te = typeof m.topic === "string" ? topicNameError(m.topic) : "not a string"
    if (te !== "") throw new Error(`PUBLISH topic: ${te}`)
    // C44 [MQTT-3.3.1-4]: never QoS 3
    if (!isInt(m.qos, 0, 2)) throw new Error("PUBLISH QoS must be 0, 1 or 2 [MQTT-3.3.1-4]")
    if (m.qos > 0) checkId(m.id, "PUBLISH")
    if (!present(m.payload)) throw new Error("PUBLISH payload must be a Buffer")
    const tb = utf8Length(m.topic)
    const b = Buffer.alloc(publishBytes(tb, m.payload.length, m.qos))
    writePublish(b, 0, m.topic, tb, m.payload, m.qos, m.retain, m.id)
    // C42 [MQTT-3.3.1-2]: DUP is always 0 at QoS 0
    if (m.dup && m.qos > 0) setPublishDup(b, 0)
    return b
}

function encodeIdOnly(firstByte: number, id: number, what: string): Buffer {
    checkId(id, what)
    const b = allocPacket(firstByte, 2)
    write16(b, 2, id)
    return b
}

/** 40 02 id (C15: the id of the PUBLISH it acknowledges). */
export function encodePuback(id: number): Buffer {
    return encodeIdOnly(PUBACK << 4, id, "PUBACK")
}

/** 50 02 id */
export function encodePubrec(id: number): Buffer {
    return encodeIdOnly(PUBREC << 4, id, "PUBREC")
}

/** 62 02 id: PUBREL flags are 0010 (C05, [MQTT-3.6.1-1]). */
export function encodePubrel(id: number): Buffer {
    return encodeIdOnly((PUBREL << 4) | 0x02, id, "PUBREL")
}

/** 70 02 id */
export function encodePubcomp(id: number): Buffer {
    return encodeIdOnly(PUBCOMP << 4, id, "PUBCOMP")
}

/** Checks a filter list (C66, C67, C69, C70, C74) and returns the total of their UTF-8 lengths + prefixes. */
function filtersBytes(filters: string[], what: string): number {
    if (!present(filters) || filters.length === 0)
        throw new Error(`${what} needs at least one topic filter [MQTT-3.8.3-3]`)
    let n = 0
    for (let i = 0; i < filters.length; i++) {
        const f = filters[i]
        const fe = typeof f === "string" ? topicFilterError(f) : "not a string"
        if (fe !== "") throw new Error(`${what} filter ${i}: ${fe}`)
        n += 2 + utf8Length(f)
    }
    return n
}

/** SUBSCRIBE: 82 (C65), at least one filter (C67), requested QoS 0..2 (C68). */
export function encodeSubscribe(id: number, filters: string[], qos: number[]): Buffer {
    checkId(id, "SUBSCRIBE")
    const fb = filtersBytes(filters, "SUBSCRIBE")
    if (!present(qos) || qos.length !== filters.length) throw new Error("SUBSCRIBE needs one QoS per filter")
    for (let i = 0; i < qos.length; i++) {
        if (!isInt(qos[i], 0, 2)) throw new Error("SUBSCRIBE QoS must be 0, 1 or 2 [MQTT-3.8.3-4]")
    }
    const rl = 2 + fb + filters.length
    const b = allocPacket((SUBSCRIBE << 4) | 0x02, rl)
    let p = write16(b, bodyOffset(rl), id)
    for (let i = 0; i < filters.length; i++) {
        p = writeString(b, p, filters[i], utf8Length(filters[i]))
        b[p++] = qos[i]
    }
    return b
}

/** UNSUBSCRIBE: A2 (C73), at least one filter (C74). */
export function encodeUnsubscribe(id: number, filters: string[]): Buffer {
    checkId(id, "UNSUBSCRIBE")
    const rl = 2 + filtersBytes(filters, "UNSUBSCRIBE")
    const b = allocPacket((UNSUBSCRIBE << 4) | 0x02, rl)
    let p = write16(b, bodyOffset(rl), id)
    for (let i = 0; i < filters.length; i++) p = writeString(b, p, filters[i], utf8Length(filters[i]))
    return b
}

/** C0 00 (C35) */
export function encodePingreq(): Buffer {
    return allocPacket(PINGREQ << 4, 0)
}

/** E0 00 (C77) */
export function encodeDisconnect(): Buffer {
    return allocPacket(DISCONNECT << 4, 0)
}

// The public codec API is this module: the receiving side and the shared constants live in their
// own files to keep each under ~300 lines.
export {
    CONNACK,
    CONNECT,
    DISCONNECT,
    MAX_REMAINING_LENGTH,
    MAX_UINT16,
    PINGREQ,
    PINGRESP,
    PUBACK,
    PUBCOMP,
    PUBLISH,
    PUBREC,
    PUBREL,
    SUBACK,
    SUBSCRIBE,
    UNSUBACK,
    UNSUBSCRIBE,
    packetName,
    remainingLengthSize,
    writeRemainingLength,
} from "./wire"
export { decodePacket, isDecodeError } from "./decode"
export type { DecodeError, InPacket } from "./decode"
