import { describe, expect, test } from "@devicescript/test"
import { OVERSIZE_KEEP_BYTES, Framer } from "../../firmware/mqtt/framer"
import { InPacket, decodePacket, encodePublish, isDecodeError } from "../../firmware/mqtt/packet"
import { hexToBytes } from "../vectors/codec-vectors"
import { DECODE_VECTORS } from "../vectors/decode-vectors"
import { runStream } from "../vectors/run-vectors"
import { check, yieldToVm } from "./util"

const COALESCED = 200

function joined(xs: string[]): string {
    return xs.join(" | ")
}

export function framingSuites() {
    const stream: number[] = []
    const expected: string[] = []
    DECODE_VECTORS.forEach(v => {
        if (v.name.indexOf("C07") === 0) return
        const b = hexToBytes(v.bytes)
        for (let i = 0; i < b.length; i++) stream.push(b[i])
        expected.push(v.expect)
    })

    describe("framing on the VM (C08, C82, S5)", () => {
        test("C82 the whole stream in one chunk", () => {
            expect(joined(runStream(stream, [], 8192))).toBe(joined(expected))
        })
        test("C82 every single split offset", async () => {
            for (let cut = 1; cut < stream.length; cut++) {
                check(`${cut}: ${joined(runStream(stream, [cut], 8192))}`, `${cut}: ${joined(expected)}`)
                await yieldToVm()
            }
        })
        test("S5 1-byte chunks", async () => {
            const cuts: number[] = []
            for (let i = 1; i < stream.length; i++) cuts.push(i)
            await yieldToVm()
            expect(joined(runStream(stream, cuts, 8192))).toBe(joined(expected))
        })
        test("C56 S5 200 PUBLISH packets coalesced in one chunk come out in order", async () => {
            // built and checked in place: arrays of 200 summaries do not fit in the VM heap
            const one = encodePublish({
                topic: "c",
                payload: Buffer.alloc(1),
                qos: 1,
                retain: false,
                dup: false,
                id: 1,
            })
            const chunk = Buffer.alloc(COALESCED * one.length)
            for (let id = 1; id <= COALESCED; id++) {
                const p = encodePublish({
                    topic: "c",
                    payload: Buffer.alloc(1),
                    qos: 1,
                    retain: false,
                    dup: false,
                    id: id,
                })
                for (let i = 0; i < p.length; i++) chunk[(id - 1) * one.length + i] = p[i]
                if (id % 20 === 0) await yieldToVm()
            }
            const f = new Framer()
            f.push(chunk)
            let expectId = 1
            let frame = f.next()
            while (frame !== null) {
                const p = decodePacket(frame.firstByte, frame.body)
                check(isDecodeError(p) ? -1 : (p as InPacket).id, expectId)
                expectId++
                if (expectId % 20 === 0) await yieldToVm()
                frame = f.next()
            }
            expect(expectId - 1).toBe(COALESCED)
            expect(f.buffered()).toBe(0)
        })
        test("C08 a 3 MB remaining length is refused from the header alone", () => {
            const f = new Framer()
            f.push(Buffer.from([0x90, 0x80, 0x80, 0xc0, 0x01]))
            expect(f.error).toBe("packet too large")
            expect(f.buffered()).toBe(0)
        })
        test("issue 22 a 20 KB QoS 1 PUBLISH in 1 KB chunks: its head with the size as sent, the rest skipped", async () => {
            const f = new Framer(1024)
            // 32 b2 9c 01: QoS 1 PUBLISH, remaining length 20,018 (topic length 2 + "devs/d/set/per" 14 + id 7 2 + payload 20,000)
            const rl = 20000 + 2 + 14 + 2
            const head = Buffer.from([0x32, 0x80 | (rl & 0x7f), 0x80 | ((rl >> 7) & 0x7f), rl >> 14])
            f.push(head)
            const th = Buffer.from([0x00, 14])
            f.push(th)
            f.push(Buffer.from("devs/d/set/per"))
            f.push(Buffer.from([0x00, 0x07]))
            for (let sent = 0; sent < 20000; sent += 1000) {
                f.push(Buffer.alloc(1000))
                if (sent + 1000 < 20000) expect(f.next() === null).toBe(true)
                await yieldToVm()
            }
            const fr = f.next()
            expect(fr.size).toBe(rl)
            expect(fr.body.length).toBe(OVERSIZE_KEEP_BYTES)
            const p = decodePacket(fr.firstByte, fr.body) as InPacket
            expect(p.topic).toBe("devs/d/set/per")
            expect(p.id).toBe(7)
            expect(f.buffered()).toBe(0)
            expect(f.error).toBe("")
        })
        test("C07 a 5th remaining-length byte is malformed", () => {
            const f = new Framer()
            f.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))
            expect(f.error).toBe("malformed remaining length")
        })
    })
}
