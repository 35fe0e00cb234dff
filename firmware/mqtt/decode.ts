/**
 * Decoder for the packets an MQTT 3.1.1 server sends to a client. Strict: anything the spec does
 * not allow a server to send is a DecodeError, and the session closes the connection on it
 * ([MQTT-4.8.0-1], C80). Never throws; the error strings are stable and tests check them exactly:
 *
 *   "invalid first byte", "missing body", "reserved packet type", "unexpected packet type from server",
 *   "invalid flags", "invalid CONNACK length", "invalid CONNACK acknowledge flags",
 *   "invalid CONNACK return code", "invalid PUBLISH QoS", "PUBLISH too short",
 *   "topic length exceeds remaining length", "empty topic", "invalid UTF-8 in topic",
 *   "wildcard in topic name", "missing packet identifier", "packet identifier 0",
 *   "invalid <TYPE> length" (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP),
 *   "invalid SUBACK return code".
 *
 * "invalid UTF-8 in topic" also covers U+0000 (C02) and non-characters (see utf8.ts).
 * The framer adds "malformed remaining length" and "packet too large".
 * Portable: imports nothing from @devicescript/* or node.
 */
import {
    CONNACK,
    PINGRESP,
    PUBACK,
    PUBCOMP,
    PUBLISH,
    PUBREC,
    PUBREL,
    SUBACK,
    UNSUBACK,
    isInt,
    packetName,
    read16,
} from "./wire"
import { decodeUtf8, validUtf8 } from "./utf8"

/** A decoded server packet; fields that the type does not carry hold 0, false, "", [] or an empty payload. */
export interface InPacket {
    type: number
    flags: number
    id: number
    sessionPresent: boolean
    returnCode: number
    returnCodes: number[]
    topic: string
    payload: Buffer
    qos: number
    retain: boolean
    dup: boolean
}

export interface DecodeError {
    error: string
}

const CONNACK_MAX_RETURN_CODE = 5 // §3.2.2.3: 0 accepted, 1..5 refused (C38)
const SUBACK_FAILURE = 0x80 // §3.9.3 (C72)
const PUBREL_FLAGS = 0x02 // [MQTT-3.6.1-1]
const ASCII_PLUS = 0x2b
const ASCII_HASH = 0x23

export function isDecodeError(x: InPacket | DecodeError): x is DecodeError {
    return (x as DecodeError).error !== undefined
}

function fail(error: string): DecodeError {
    return { error: error }
}

function blank(type: number, flags: number): InPacket {
    return {
        type: type,
        flags: flags,
        id: 0,
        sessionPresent: false,
        returnCode: 0,
        returnCodes: [],
        topic: "",
        payload: Buffer.alloc(0),
        qos: 0,
        retain: false,
        dup: false,
    }
}

/** Decodes one frame (first byte + body, as produced by the Framer). */
export function decodePacket(firstByte: number, body: Buffer): InPacket | DecodeError {
    if (!isInt(firstByte, 0, 255)) return fail("invalid first byte")
    if (body === undefined || body === null) return fail("missing body")
    const type = firstByte >> 4
    const flags = firstByte & 0x0f
    if (type === CONNACK) return decodeConnack(flags, body)
    if (type === PUBLISH) return decodePublish(flags, body)
    if (type === PUBACK || type === PUBREC || type === PUBCOMP || type === UNSUBACK)
        return decodeAck(type, flags, 0, body)
    // C05/C06: PUBREL is the one acknowledgement with flags 0010
    if (type === PUBREL) return decodeAck(type, flags, PUBREL_FLAGS, body)
    if (type === SUBACK) return decodeSuback(flags, body)
    if (type === PINGRESP) {
        if (flags !== 0) return fail("invalid flags")
        if (body.length !== 0) return fail("invalid PINGRESP length")
        return blank(type, flags)
    }
    // C09: types 0 and 15 are reserved
    if (type === 0 || type === 15) return fail("reserved packet type")
    // C10: CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT only go client -> server
    return fail("unexpected packet type from server")
}

/** C37, C38: RL 2, acknowledge flags bits 7-1 zero, return code 0..5. */
function decodeConnack(flags: number, body: Buffer): InPacket | DecodeError {
    if (flags !== 0) return fail("invalid flags") // C06 [MQTT-2.2.2-2]
    if (body.length !== 2) return fail("invalid CONNACK length")
    if ((body[0] & 0xfe) !== 0) return fail("invalid CONNACK acknowledge flags")
    if (body[1] > CONNACK_MAX_RETURN_CODE) return fail("invalid CONNACK return code")
    const p = blank(CONNACK, flags)
    // Kept as sent even with a refusal (a server MUST send 0 then, [MQTT-3.2.2-4]): the session
    // acts on the return code, and C39 (clean = 1 with SP = 1) is its call.
    p.sessionPresent = (body[0] & 1) === 1
    p.returnCode = body[1]
    return p
}

/** C11, C44, C47, C01-C03, C46: the receiving side of PUBLISH. */
function decodePublish(flags: number, body: Buffer): InPacket | DecodeError {
    const qos = (flags >> 1) & 0x03
    if (qos === 3) return fail("invalid PUBLISH QoS") // C44 [MQTT-3.3.1-4]
    const dup = (flags & 0x08) !== 0
    if (dup && qos === 0) return fail("invalid flags") // [MQTT-3.3.1-2]
    if (body.length < 2) return fail("PUBLISH too short")
    const topicLen = read16(body, 0)
    const topicEnd = 2 + topicLen
    if (topicEnd > body.length) return fail("topic length exceeds remaining length")
    if (topicLen === 0) return fail("empty topic") // C47 [MQTT-4.7.3-1]
    // C01/C02: well-formed, no surrogates, no overlongs, no U+0000 [MQTT-1.5.3-1] [MQTT-1.5.3-2],
    // and no non-characters (§1.5.3 MAY close; the VM would silently turn U+FFFF into U+FFFD)
    if (!validUtf8(body, 2, topicEnd)) return fail("invalid UTF-8 in topic")
    // Valid UTF-8 has bytes < 0x80 only as ASCII, so a byte scan finds the wildcards (C46).
    for (let i = 2; i < topicEnd; i++) {
        if (body[i] === ASCII_PLUS || body[i] === ASCII_HASH) return fail("wildcard in topic name")
    }
    let off = topicEnd
    let id = 0
    if (qos > 0) {
        if (off + 2 > body.length) return fail("missing packet identifier")
        id = read16(body, off)
        if (id === 0) return fail("packet identifier 0") // C11 [MQTT-2.3.1-1]
        off += 2
    }
    const p = blank(PUBLISH, flags)
    p.topic = decodeUtf8(body, 2, topicEnd) // C03: U+FEFF kept as is
    p.id = id
    p.qos = qos
    p.dup = dup
    p.retain = (flags & 0x01) !== 0
    p.payload = body.slice(off, body.length)
    return p
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: exactly a non-zero packet id (malformed #9). */
function decodeAck(type: number, flags: number, expectedFlags: number, body: Buffer): InPacket | DecodeError {
    if (flags !== expectedFlags) return fail("invalid flags") // C06
    if (body.length !== 2) return fail(`invalid ${packetName(type)} length`)
    const id = read16(body, 0)
    if (id === 0) return fail("packet identifier 0") // C11: we never send id 0, so no ack can carry it
    const p = blank(type, flags)
    p.id = id
    return p
}

/** C72: id, then at least one return code, each 0, 1, 2 or 0x80 (malformed #10). */
function decodeSuback(flags: number, body: Buffer): InPacket | DecodeError {
    if (flags !== 0) return fail("invalid flags") // C06
    if (body.length < 3) return fail("invalid SUBACK length")
    const id = read16(body, 0)
    if (id === 0) return fail("packet identifier 0")
    const rcs: number[] = []
    for (let i = 2; i < body.length; i++) {
        const rc = body[i]
        if (rc > 2 && rc !== SUBACK_FAILURE) return fail("invalid SUBACK return code")
        rcs.push(rc)
    }
    // The count must equal the number of filters sent: only the session knows that number.
    const p = blank(SUBACK, flags)
    p.id = id
    p.returnCodes = rcs
    return p
}
