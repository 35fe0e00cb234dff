import { afterEach, describe, expect, test, vi } from "vitest"
import {
    Framer,
    frameHeader,
    MAX_PACKET_BYTES_DEFAULT,
    OVERSIZE_KEEP_BYTES,
    OVERSIZE_SKIP_MAX_BYTES,
} from "../../firmware/mqtt/framer.ts"
import { decodePacket, encodePuback, encodePublish, type InPacket } from "../../firmware/mqtt/packet.ts"
import { REMAINING_LENGTH_VECTORS, hexToBytes } from "../vectors/codec-vectors.ts"
import { DECODE_VECTORS } from "../vectors/decode-vectors.ts"
import { runStream } from "../vectors/run-vectors.ts"
import { prng, randInt } from "./helpers.ts"

/** Several server packets back to back, including a 2-byte remaining length (C82, S5). */
const STREAM_VECTORS = DECODE_VECTORS.filter(v => !v.name.startsWith("C07"))
const STREAM = STREAM_VECTORS.flatMap(v => hexToBytes(v.bytes))
const EXPECTED = STREAM_VECTORS.map(v => v.expect)
const LONG = [
    ...encodePublish({
        topic: "t/long",
        payload: Buffer.alloc(300, 0x61),
        qos: 1,
        retain: false,
        dup: false,
        id: 9,
    }),
]
const LONG_SUMMARY = `PUBLISH topic=t/long qos=1 id=9 dup=0 retain=0 payload=${"61".repeat(300)}`

function cutsEvery(n: number, len: number): number[] {
    const cuts: number[] = []
    for (let i = n; i < len; i += n) cuts.push(i)
    return cuts
}

afterEach(() => {
    vi.restoreAllMocks()
})

describe("framing any split of the stream (C82, S5)", () => {
    test("C82 the whole stream in one chunk yields every packet in order", () => {
        expect(runStream(STREAM, [], MAX_PACKET_BYTES_DEFAULT)).toEqual(EXPECTED)
    })

    test("C82 every single split offset gives the same packets", () => {
        const stream = [...STREAM, ...LONG]
        const expected = [...EXPECTED, LONG_SUMMARY]
        for (let cut = 1; cut < stream.length; cut++) expect(runStream(stream, [cut], 8192)).toEqual(expected)
    })

    test("C82 every pair of split offsets gives the same packets", () => {
        const stream = STREAM.slice(0, 60)
        const expected = runStream(stream, [], 8192)
        expect(expected.length).toBeGreaterThan(5)
        for (let a = 1; a < stream.length; a++)
            for (let b = a; b < stream.length; b++) expect(runStream(stream, [a, b], 8192)).toEqual(expected)
    })

    test("S5 1-byte chunks", () => {
        const stream = [...STREAM, ...LONG]
        expect(runStream(stream, cutsEvery(1, stream.length), 8192)).toEqual([...EXPECTED, LONG_SUMMARY])
    })

    test("S5 random 1..1500-byte chunks over 40 seeded runs", () => {
        const stream: number[] = []
        const expected: string[] = []
        for (let i = 0; i < 20; i++) {
            stream.push(...STREAM, ...LONG)
            expected.push(...EXPECTED, LONG_SUMMARY)
        }
        for (let seed = 1; seed <= 40; seed++) {
            const rnd = prng(seed)
            const cuts: number[] = []
            for (let at = randInt(rnd, 1, 1500); at < stream.length; at += randInt(rnd, 1, 1500)) cuts.push(at)
            expect(runStream(stream, cuts, 8192)).toEqual(expected)
        }
    })

    test("C56 S5 1000 PUBLISH packets coalesced in one chunk come out in order", () => {
        const stream: number[] = []
        for (let id = 1; id <= 1000; id++)
            stream.push(
                ...encodePublish({
                    topic: "c",
                    payload: Buffer.from([id & 0xff]),
                    qos: 1,
                    retain: false,
                    dup: false,
                    id,
                }),
            )
        const out = runStream(stream, [], 8192)
        expect(out.length).toBe(1000)
        expect(out[999]).toBe("PUBLISH topic=c qos=1 id=1000 dup=0 retain=0 payload=e8")
        out.forEach((s, i) => expect(s).toContain(` id=${i + 1} `))
    })

    test("C82 a header split after byte 1 of the remaining length", () => {
        const header = LONG.slice(0, 2) // 32 b3 (first byte of a 2-byte remaining length)
        expect(header[1] & 0x80).toBe(0x80)
        expect(runStream(LONG, [2], 8192)).toEqual([LONG_SUMMARY])
        expect(runStream(LONG, [1, 2, 3], 8192)).toEqual([LONG_SUMMARY])
    })

    test("C07 remaining-length boundaries up to 16384 frame exactly", () => {
        for (const v of REMAINING_LENGTH_VECTORS.filter(r => r.value <= 16384)) {
            const f = new Framer(16384)
            f.push(Buffer.from([0x30, ...hexToBytes(v.bytes)]))
            if (v.value > 0) expect(f.next()).toBeNull() // waits for the body
            f.push(Buffer.alloc(v.value))
            const frame = f.next()
            expect(frame?.body.length).toBe(v.value)
            expect(f.buffered()).toBe(0)
        }
    })

    test("C07 C08 larger remaining lengths are read exactly from the header alone", () => {
        for (const v of REMAINING_LENGTH_VECTORS.filter(r => r.value > 0)) {
            const f = new Framer(v.value - 1)
            f.push(Buffer.from([0x90, ...hexToBytes(v.bytes)]))
            expect(f.error).toBe("packet too large")
        }
    })
})

describe("limits and errors (C07, C08, C80)", () => {
    test("C08 a 3 MB remaining length is refused from the header, before any body byte, without allocating it", () => {
        const alloc = vi.spyOn(Buffer, "alloc")
        const f = new Framer()
        f.push(Buffer.from([0x90, 0x80, 0x80, 0xc0])) // a SUBACK; length not complete yet
        expect(f.error).toBe("")
        f.push(Buffer.from([0x01])) // 3 145 728 bytes
        expect(f.error).toBe("packet too large")
        expect(f.next()).toBeNull()
        expect(f.buffered()).toBe(0)
        expect(Math.max(0, ...alloc.mock.calls.map(c => c[0]))).toBeLessThanOrEqual(MAX_PACKET_BYTES_DEFAULT)
    })

    test("C08 the default limit is 8192: remaining length 8192 is accepted, 8193 is not", () => {
        expect(MAX_PACKET_BYTES_DEFAULT).toBe(8192)
        const ok = new Framer()
        ok.push(Buffer.from([0x30, 0x80, 0x40]))
        expect(ok.error).toBe("")
        ok.push(Buffer.concat([Buffer.from([0x00, 0x01, 0x74]), Buffer.alloc(8189)]))
        expect(ok.next()?.body.length).toBe(8192)
        const big = new Framer()
        big.push(Buffer.from([0x90, 0x81, 0x40]))
        expect(big.error).toBe("packet too large")
    })

    test("C07 a 5th remaining-length byte is malformed, detected without waiting for it", () => {
        const f = new Framer()
        f.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))
        expect(f.error).toBe("malformed remaining length")
    })

    test("C07 non-minimal remaining lengths are accepted (documented choice)", () => {
        const f = new Framer()
        f.push(Buffer.from([0xd0, 0x80, 0x00, 0xd0, 0x80, 0x80, 0x80, 0x00, 0x40, 0x82, 0x00, 0x00, 0x01]))
        expect(f.next()).toEqual({ firstByte: 0xd0, body: Buffer.alloc(0), size: 0 })
        expect(f.next()).toEqual({ firstByte: 0xd0, body: Buffer.alloc(0), size: 0 })
        expect(f.next()).toEqual({
            firstByte: 0x40,
            body: Buffer.from([0x00, 0x01]),
            size: 2,
        })
        expect(f.next()).toBeNull()
        expect(f.error).toBe("")
    })

    test("C80 errors are sticky: later bytes are dropped until reset()", () => {
        const f = new Framer(16)
        f.push(Buffer.from([0x90, 0x11]))
        expect(f.error).toBe("packet too large")
        f.push(Buffer.from(encodePuback(1)))
        expect(f.next()).toBeNull()
        expect(f.buffered()).toBe(0)
        f.reset()
        expect(f.error).toBe("")
        f.push(Buffer.from(encodePuback(1)))
        expect(f.next()).toEqual({ firstByte: 0x40, body: Buffer.from([0, 1]), size: 2 })
    })

    test("reset() drops a half-received packet (new connection)", () => {
        const f = new Framer()
        f.push(Buffer.from([0x30, 0x05, 0x00]))
        expect(f.buffered()).toBe(1)
        f.reset()
        expect(f.buffered()).toBe(0)
        f.push(Buffer.from([0xd0, 0x00]))
        expect(f.next()).toEqual({ firstByte: 0xd0, body: Buffer.alloc(0), size: 0 })
    })

    test("buffered() counts received bytes not yet returned, and never more than the pending frame needs", () => {
        const f = new Framer()
        const pkt = Buffer.from(LONG)
        let max = 0
        for (let i = 0; i < pkt.length - 1; i++) {
            f.push(pkt.subarray(i, i + 1))
            max = Math.max(max, f.buffered())
            expect(f.next()).toBeNull()
        }
        expect(max).toBeLessThanOrEqual(pkt.length)
        f.push(pkt.subarray(pkt.length - 1))
        expect(f.next()?.body.length).toBe(pkt.length - 3)
        expect(f.buffered()).toBe(0)
    })

    test("frames own their bytes: reusing the pushed chunk afterwards does not change a returned frame", () => {
        const f = new Framer()
        const chunk = Buffer.from([0x40, 0x02, 0x00, 0x01, 0x40, 0x02])
        f.push(chunk)
        const first = f.next()
        chunk.fill(0xee, 0, 4) // bytes already returned in a frame
        f.push(Buffer.from([0x00, 0x02]))
        const second = f.next()
        expect(first?.body.toString("hex")).toBe("0001")
        expect(second?.body.toString("hex")).toBe("0002")
    })

    test("empty chunks are ignored", () => {
        const f = new Framer()
        f.push(Buffer.alloc(0))
        expect(f.next()).toBeNull()
        expect(f.buffered()).toBe(0)
    })
})

describe("an oversized PUBLISH is skipped, not buffered (issue 22)", () => {
    const LIMIT = 1024
    const big = (qos: number, payload: number) =>
        encodePublish({
            topic: "devs/d/set/period_ms",
            payload: Buffer.alloc(payload, 0x31),
            qos,
            retain: false,
            dup: false,
            id: qos ? 7 : 0,
        })

    test("its head (topic, packet id) comes out with the size as sent, the rest is never allocated, and the stream goes on", () => {
        const pkt = big(1, 20_000)
        const stream = Buffer.concat([pkt, Buffer.from(encodePuback(9))])
        const alloc = vi.spyOn(Buffer, "alloc")
        const f = new Framer(LIMIT)
        for (let i = 0; i < stream.length; i += 1024) {
            f.push(stream.subarray(i, i + 1024))
            if (i + 1024 < pkt.length) expect(f.next()).toBeNull()
            expect(f.buffered()).toBeLessThanOrEqual(1024 + 260)
        }
        const head = f.next()!
        expect(head.firstByte).toBe(0x32)
        expect(head.size).toBe(frameHeader(pkt, 0).remaining)
        expect(head.body.length).toBe(OVERSIZE_KEEP_BYTES)
        const p = decodePacket(head.firstByte, head.body) as InPacket
        expect([p.topic, p.id, p.qos]).toEqual(["devs/d/set/period_ms", 7, 1])
        expect(f.next()).toEqual({ firstByte: 0x40, body: Buffer.from([0, 9]), size: 2 })
        expect(f.error).toBe("")
        expect(Math.max(0, ...alloc.mock.calls.map(c => c[0] as number))).toBeLessThanOrEqual(LIMIT)
    })

    test("one byte over the limit, split at every offset, gives the same head", () => {
        const pkt = big(0, LIMIT - 2 - 20 + 1)
        for (let cut = 1; cut < pkt.length; cut++) {
            const f = new Framer(LIMIT)
            f.push(pkt.subarray(0, cut))
            const early = f.next()
            f.push(pkt.subarray(cut))
            const fr = early ?? f.next()
            expect(fr?.size).toBe(LIMIT + 1)
            expect(fr?.body.length).toBe(OVERSIZE_KEEP_BYTES)
        }
    })

    test("a PUBLISH over 1 MiB is refused from its header, like any other type over the limit", () => {
        const f = new Framer(LIMIT)
        f.push(Buffer.from([0x30, 0x81, 0x80, 0x40])) // 1 MiB + 1
        expect(OVERSIZE_SKIP_MAX_BYTES).toBe(1 << 20)
        expect(f.error).toBe("packet too large")
    })

    test("any other packet type over the limit is still an error", () => {
        const f = new Framer(LIMIT)
        f.push(Buffer.from([0xb0, 0x81, 0x40])) // UNSUBACK of 8193 B
        expect(f.error).toBe("packet too large")
    })
})

/** Splits a whole buffer with frameHeader, as the host tools do: [first byte, body] per frame, and what is left. */
function splitWhole(b: Buffer): { frames: { firstByte: number; body: Buffer }[]; rest: number; malformed: boolean } {
    const frames: { firstByte: number; body: Buffer }[] = []
    let at = 0
    for (;;) {
        const h = frameHeader(b, at)
        if (h.headerBytes < 0) return { frames, rest: b.length - at, malformed: true }
        if (h.headerBytes === 0 || at + h.headerBytes + h.remaining > b.length)
            return { frames, rest: b.length - at, malformed: false }
        frames.push({
            firstByte: b[at],
            body: Buffer.from(b.subarray(at + h.headerBytes, at + h.headerBytes + h.remaining)),
        })
        at += h.headerBytes + h.remaining
    }
}

function framerFrames(b: Buffer): { firstByte: number; body: Buffer }[] {
    const f = new Framer(1 << 28)
    f.push(b)
    const out: { firstByte: number; body: Buffer }[] = []
    for (let fr = f.next(); fr; fr = f.next()) out.push({ firstByte: fr.firstByte, body: fr.body })
    return out
}

describe("the whole-buffer header reader the host tools use follows the Framer's rules (C07, C82)", () => {
    test("C82 the decode stream splits into the same frames as the Framer's", () => {
        const b = Buffer.from([...STREAM, ...LONG])
        const whole = splitWhole(b)
        expect(whole.frames.length).toBeGreaterThan(10)
        expect(whole.frames).toEqual(framerFrames(b))
        expect([whole.rest, whole.malformed]).toEqual([0, false])
    })

    test.each(REMAINING_LENGTH_VECTORS)("C07 remaining length $value: value and header size", v => {
        const len = hexToBytes(v.bytes)
        expect(frameHeader(Buffer.from([0x30, ...len]), 0)).toEqual({ remaining: v.value, headerBytes: 1 + len.length })
    })

    test("C07 non-minimal lengths are accepted, as the Framer accepts them", () => {
        const b = Buffer.from([0xd0, 0x80, 0x00, 0xd0, 0x80, 0x80, 0x80, 0x00, 0x40, 0x82, 0x00, 0x00, 0x01])
        expect(splitWhole(b).frames).toEqual(framerFrames(b))
        expect(splitWhole(b).frames.length).toBe(3)
    })

    test("C07 a 5th length byte is malformed for both; an unfinished header or body is incomplete", () => {
        const bad = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f])
        expect(frameHeader(bad, 0).headerBytes).toBe(-1)
        const f = new Framer(1 << 28)
        f.push(bad)
        expect(f.error).toBe("malformed remaining length")
        expect(frameHeader(Buffer.from([0x30, 0x80]), 0).headerBytes).toBe(0)
        expect(frameHeader(Buffer.from([0x30]), 0).headerBytes).toBe(0)
        expect(splitWhole(Buffer.from([0x40, 0x02, 0x00]))).toEqual({ frames: [], rest: 3, malformed: false })
    })

    test("a header is read at any offset of the buffer", () => {
        expect(frameHeader(Buffer.from([0xff, 0xff, 0x40, 0x02, 0x00, 0x01]), 2)).toEqual({
            remaining: 2,
            headerBytes: 2,
        })
    })
})
