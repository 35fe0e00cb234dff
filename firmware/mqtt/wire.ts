/**
 * MQTT 3.1.1 wire format primitives shared by the encoder (packet.ts) and the decoder (decode.ts):
 * control packet types (§2.2.1) and their names, the remaining-length field (§2.2.3), and
 * big-endian 16-bit integers, length-prefixed strings and binary data (§1.5). Writers take the
 * destination and an offset and return the offset after what they wrote, so each packet is
 * allocated once and filled by index. Portable: imports only utf8.ts.
 *
 * Buffer behaviour that differs between the DeviceScript 2.16.4 VM and Node (checked on both),
 * and that this code therefore never relies on:
 * - slice(a, b) with b past the end: the VM returns b - a bytes padded with zeros, Node clamps.
 *   Every slice here stays within bounds.
 * - slice() copies on the VM and shares memory in Node: slices are treated as read-only.
 * - Bulk copies go through bytes.ts (blitAt on the VM, copy/write in Node): native on both.
 * - Numbers have no toString() on the VM: use template strings.
 * Same on both: out-of-range reads give undefined, index writes keep the low 8 bits (256 -> 00,
 * -1 -> FF), Buffer.alloc zero-fills, toString("hex") is lower case.
 */
import { blit, blitUtf8 } from "./bytes"

export const CONNECT = 1
export const CONNACK = 2
export const PUBLISH = 3
export const PUBACK = 4
export const PUBREC = 5
export const PUBREL = 6
export const PUBCOMP = 7
export const SUBSCRIBE = 8
export const SUBACK = 9
export const UNSUBSCRIBE = 10
export const UNSUBACK = 11
export const PINGREQ = 12
export const PINGRESP = 13
export const DISCONNECT = 14

/** §2.2.3: four 7-bit groups, so 268 435 455 bytes is the largest remaining length (C07). */
export const MAX_REMAINING_LENGTH = 268435455
/** Packet ids, keepalive and string/binary length prefixes are 16-bit big-endian (§1.5.2). */
export const MAX_UINT16 = 65535

const NAMES = [
    "RESERVED",
    "CONNECT",
    "CONNACK",
    "PUBLISH",
    "PUBACK",
    "PUBREC",
    "PUBREL",
    "PUBCOMP",
    "SUBSCRIBE",
    "SUBACK",
    "UNSUBSCRIBE",
    "UNSUBACK",
    "PINGREQ",
    "PINGRESP",
    "DISCONNECT",
    "RESERVED",
]

/** "CONNECT", "PUBLISH", ... for logs; "RESERVED" for 0 and 15, "UNKNOWN" outside 0..15. */
export function packetName(type: number): string {
    if (!(type >= 0 && type <= 15 && Math.floor(type) === type)) return "UNKNOWN"
    return NAMES[type]
}

/** Bytes used by the remaining-length field: 1 to 4 (C07). */
export function remainingLengthSize(n: number): number {
    if (n < 128) return 1
    if (n < 16384) return 2
    if (n < 2097152) return 3
    return 4
}

/**
 * §2.2.3 encoding: 7 bits per byte, least significant group first, top bit = "more follows".
 * Always the minimal form. Returns the offset after the field.
 */
export function writeRemainingLength(dst: Buffer, offset: number, n: number): number {
    let o = offset
    let x = n
    while (true) {
        let digit = x % 128
        x = Math.floor(x / 128)
        if (x > 0) digit = digit | 0x80
        dst[o++] = digit
        if (x === 0) break
    }
    return o
}

/** An integer in [lo, hi]; false for NaN, fractions and non-numbers. */
export function isInt(x: number, lo: number, hi: number): boolean {
    return typeof x === "number" && x >= lo && x <= hi && Math.floor(x) === x
}

/** Allocates the whole packet once and writes its fixed header; the body starts at bodyOffset(rl). */
export function allocPacket(firstByte: number, rl: number): Buffer {
    if (rl > MAX_REMAINING_LENGTH) throw new Error(`packet body is ${rl} bytes, max ${MAX_REMAINING_LENGTH} (C07)`)
    const b = Buffer.alloc(1 + remainingLengthSize(rl) + rl)
    b[0] = firstByte
    writeRemainingLength(b, 1, rl)
    return b
}

export function bodyOffset(rl: number): number {
    return 1 + remainingLengthSize(rl)
}

export function write16(dst: Buffer, offset: number, v: number): number {
    dst[offset] = (v >> 8) & 0xff
    dst[offset + 1] = v & 0xff
    return offset + 2
}

/** Length-prefixed string; n is its checked UTF-8 length. */
export function writeString(dst: Buffer, offset: number, s: string, n: number): number {
    return blitUtf8(dst, write16(dst, offset, n), s, n)
}

/** Length-prefixed binary data (will message, password). */
export function writeBinary(dst: Buffer, offset: number, src: Buffer): number {
    const o = write16(dst, offset, src.length)
    return copyBytes(dst, o, src)
}

/** Copies all of src into dst at offset (natively); returns the offset after it. */
export function copyBytes(dst: Buffer, offset: number, src: Buffer): number {
    return blit(dst, offset, src, 0, src.length)
}

/** Big-endian 16-bit integer at b[i]; the caller has checked that two bytes are there. */
export function read16(b: Buffer, i: number): number {
    return (b[i] << 8) | b[i + 1]
}
