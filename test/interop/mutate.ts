/**
 * Malformed broker-to-client packets made by mutating valid ones (the
 * checklist's "PB" method on the wire): bit flips, byte overwrites,
 * remaining-length corruption, truncation, type and flag changes, inserted
 * and appended bytes. Seeded: the same seed gives the same cases.
 */
import mqttPacket from "mqtt-packet"
import { frameHeader } from "../../firmware/mqtt/framer.ts"
import { prng } from "../../host-sim/sensors/models.ts"

export type Phase = "connack" | "after"

export interface FuzzCase {
    bytes: Buffer
    op: string
    seed: string
    phase: Phase
}

const pub = (topic: string, payload: string | Buffer, qos: 0 | 1 | 2, id: number, retain = false) =>
    mqttPacket.generate({
        cmd: "publish",
        topic,
        payload: Buffer.from(payload),
        qos,
        messageId: qos ? id : undefined,
        retain,
        dup: false,
    })

/** Valid packets a broker sends to a client after CONNACK (none addressed to the device's own topics). */
export const AFTER_SEEDS: [string, Buffer][] = [
    ["PUBACK", Buffer.from([0x40, 0x02, 0x01, 0x01])],
    ["PUBLISH q0", pub("fuzz/t", "hello", 0, 0)],
    ["PUBLISH q1", pub("fuzz/t/1", '{"v":1,"s":"x"}', 1, 0x0102)],
    ["PUBLISH q1 retain", pub("fuzz/r", "retained", 1, 0x0103, true)],
    ["PUBLISH q2", pub("fuzz/q2", "two", 2, 0x0203)],
    ["PUBLISH empty payload", pub("fuzz/e", "", 1, 0x0104)],
    ["PUBLISH utf-8 topic", pub("fuzz/é/ü/€", "utf", 1, 0x0105)],
    ["PUBLISH 200 bytes", pub("fuzz/big", Buffer.alloc(200, 0x7a), 1, 0x0106)],
    ["PUBREL", Buffer.from([0x62, 0x02, 0x02, 0x03])],
    ["SUBACK", Buffer.from([0x90, 0x03, 0x00, 0x07, 0x01])],
    ["UNSUBACK", Buffer.from([0xb0, 0x02, 0x00, 0x08])],
    ["PINGRESP", Buffer.from([0xd0, 0x00])],
]

export const CONNACK_SEEDS: [string, Buffer][] = [
    ["CONNACK", Buffer.from([0x20, 0x02, 0x00, 0x00])],
    ["CONNACK sp", Buffer.from([0x20, 0x02, 0x01, 0x00])],
]

/** Share of cases that replace the CONNACK itself (each costs a new connection). */
const CONNACK_SHARE = 0.08

/** Remaining length field: [value, bytes it takes], or null if it is malformed or incomplete (the device's rules: framer.ts). */
export function remainingLength(b: Buffer): [number, number] | null {
    const h = frameHeader(b, 0)
    return h.headerBytes > 0 ? [h.remaining, h.headerBytes - 1] : null
}

/** True when the bytes are exactly one frame: the device reads nothing past them. */
export function aligned(b: Buffer): boolean {
    const rl = remainingLength(b)
    return rl !== null && 1 + rl[1] + rl[0] === b.length
}

function encodeLength(n: number): number[] {
    const out: number[] = []
    do {
        let d = n % 128
        n = Math.floor(n / 128)
        if (n > 0) d |= 0x80
        out.push(d)
    } while (n > 0)
    return out
}

/**
 * A well-formed CONNACK refusing with rc 1, 2, 4 or 5 (also with a non-minimal length, which the
 * device accepts, or with bytes after it) is not malformed, and would park the device for 30 s to 1 h.
 */
function parksTheDevice(b: Buffer): boolean {
    const rl = remainingLength(b)
    // The first frame decides: bytes after it arrive when the handshake is already over.
    if (b[0] !== 0x20 || !rl || rl[0] !== 2 || b.length < 1 + rl[1] + 2) return false
    const body = b.subarray(1 + rl[1])
    return body[0] <= 1 && [1, 2, 4, 5].includes(body[1])
}

export class Mutator {
    readonly rand: () => number

    constructor(readonly seed: number) {
        this.rand = prng(seed)
    }

    private int(n: number): number {
        return Math.floor(this.rand() * n)
    }

    private pick<T>(xs: T[]): T {
        return xs[this.int(xs.length)]
    }

    next(): FuzzCase {
        const phase: Phase = this.rand() < CONNACK_SHARE ? "connack" : "after"
        const [seed, base] = this.pick(phase === "connack" ? CONNACK_SEEDS : AFTER_SEEDS)
        for (;;) {
            const [op, bytes] = this.mutate(base)
            if (bytes.length === 0 || bytes.equals(base)) continue
            if (phase === "connack" && parksTheDevice(bytes)) continue
            return { bytes, op, seed, phase }
        }
    }

    private mutate(base: Buffer): [string, Buffer] {
        const b = Buffer.from(base)
        const r = this.rand()
        if (r < 0.3) {
            const flips = 1 + this.int(3)
            for (let i = 0; i < flips; i++) b[this.int(b.length)] ^= 1 << this.int(8)
            return ["bitflip", b]
        }
        if (r < 0.45) {
            b[this.int(b.length)] = this.pick([0x00, 0xff, 0x7f, 0x80, 0xc0, 0x23, 0x2b, this.int(256)])
            return ["byte", b]
        }
        if (r < 0.6) return ["length", this.corruptLength(base)]
        if (r < 0.7) return ["truncate", b.subarray(0, 1 + this.int(b.length - 1))]
        if (r < 0.8) {
            b[0] = (this.int(16) << 4) | (b[0] & 0x0f)
            return ["type", b]
        }
        if (r < 0.9) {
            b[0] = (b[0] & 0xf0) | this.int(16)
            return ["flags", b]
        }
        const extra = Buffer.from(Array.from({ length: 1 + this.int(8) }, () => this.int(256)))
        if (r < 0.95) {
            const at = 1 + this.int(b.length - 1)
            return ["insert", Buffer.concat([b.subarray(0, at), extra, b.subarray(at)])]
        }
        // Well framed, wrong content: extra bytes inside the packet with the length fixed up.
        const rl = remainingLength(base)!
        const body = Buffer.concat([base.subarray(1 + rl[1]), extra])
        return ["grow", Buffer.concat([Buffer.from([base[0], ...encodeLength(body.length)]), body])]
    }

    /** Remaining length off by a little, random, non-minimal, five bytes long, or huge. */
    private corruptLength(base: Buffer): Buffer {
        const rl = remainingLength(base)!
        const body = base.subarray(1 + rl[1])
        const kind = this.int(5)
        let len: number[]
        if (kind === 0) len = encodeLength(Math.max(0, rl[0] + this.pick([-3, -2, -1, 1, 2, 3])))
        else if (kind === 1) len = encodeLength(this.int(256))
        else if (kind === 2)
            len = [...encodeLength(rl[0]).map(x => x | 0x80), 0x00] // non-minimal, same value
        else if (kind === 3)
            len = [0xff, 0xff, 0xff, 0xff, 0x7f] // five bytes [C07]
        else len = encodeLength(this.pick([8193, 65535, 2097152, 268435455]))
        return Buffer.concat([Buffer.from([base[0], ...len]), body])
    }
}
