import { describe, expect, test } from "vitest"
import {
    ConnectOptions,
    encodeConnect,
    encodePublish,
    encodeSubscribe,
    encodeUnsubscribe,
    encodedPublishLength,
    remainingLengthSize,
    writeRemainingLength,
} from "../../firmware/mqtt/packet.ts"
import { ENCODE_VECTORS, REMAINING_LENGTH_VECTORS, hexOf, repeatString } from "../vectors/codec-vectors.ts"
import { ENCODE_ERROR_VECTORS } from "../vectors/encode-error-vectors.ts"
import { connectOptions, encodeVector, ringPathHex, tryEncode } from "../vectors/run-vectors.ts"
import { prng, randInt, refParse } from "./helpers.ts"

describe("remaining length (C07)", () => {
    test.each(REMAINING_LENGTH_VECTORS)("C07 remaining length $value encodes as $bytes", v => {
        const b = Buffer.alloc(4)
        const end = writeRemainingLength(b, 0, v.value)
        expect(b.subarray(0, end).toString("hex")).toBe(hexOf(v.bytes))
        expect(remainingLengthSize(v.value)).toBe(end)
    })

    test.each([127, 128, 16383, 16384])("C07 a PUBLISH with remaining length %i has the right header", rl => {
        const payload = Buffer.alloc(rl - 3) // 2-byte topic length + "t"
        const b = encodePublish({
            topic: "t",
            payload,
            qos: 0,
            retain: false,
            dup: false,
            id: 0,
        })
        const hdr = Buffer.alloc(4)
        const n = writeRemainingLength(hdr, 0, rl)
        expect(b.subarray(1, 1 + n).equals(hdr.subarray(0, n))).toBe(true)
        expect(b.length).toBe(1 + n + rl)
        expect(encodedPublishLength("t", payload.length, 0)).toBe(b.length)
    })
})

describe("encoding golden bytes (C05, C19-C35, C41-C50, C65-C74)", () => {
    test.each(ENCODE_VECTORS)("$name", v => {
        expect(tryEncode(v)).toBe(hexOf(v.bytes ?? []))
    })

    test.each(ENCODE_VECTORS.filter(v => v.kind === "publish"))(
        "the outbox's ring path gives the same bytes: $name",
        v => {
            expect(ringPathHex(v)).toBe(hexOf(v.bytes ?? []))
        },
    )

    test.each(ENCODE_ERROR_VECTORS)("$name is rejected", v => {
        expect(tryEncode(v)).toMatch(/^throws: /)
    })

    test("C04 C33 C34 65536-byte strings and binaries are rejected, 65535 is not truncated", () => {
        const big = repeatString("a", 65536)
        const max = repeatString("a", 65535)
        const base: ConnectOptions = {
            clientId: "a",
            keepAliveS: 60,
            clean: true,
        }
        expect(() => encodeConnect({ ...base, clientId: big })).toThrow(/client id is 65536 bytes/)
        expect(() => encodeConnect({ ...base, username: big })).toThrow(/user name is 65536 bytes/)
        expect(() =>
            encodeConnect({
                ...base,
                username: "u",
                password: Buffer.alloc(65536),
            }),
        ).toThrow(/password is 65536 bytes/)
        const will = {
            topic: "t",
            payload: Buffer.alloc(0),
            qos: 0,
            retain: false,
        }
        expect(() => encodeConnect({ ...base, will: { ...will, topic: big } })).toThrow(/will topic/)
        expect(() =>
            encodeConnect({
                ...base,
                will: { ...will, payload: Buffer.alloc(65536) },
            }),
        ).toThrow(/will message is 65536 bytes/)
        expect(() =>
            encodePublish({
                topic: big,
                payload: Buffer.alloc(0),
                qos: 0,
                retain: false,
                dup: false,
                id: 0,
            }),
        ).toThrow(/65536 bytes/)
        expect(() => encodeSubscribe(1, [big], [0])).toThrow(/65536 bytes/)
        // C04: the length field is ff ff, never wrapped to 00 00 (paho.mqtt.golang #730)
        const p = encodePublish({
            topic: max,
            payload: Buffer.from("x"),
            qos: 1,
            retain: false,
            dup: false,
            id: 7,
        })
        expect(p.subarray(4, 6).toString("hex")).toBe("ffff")
        expect(p.subarray(6 + 65535, 6 + 65535 + 3).toString("hex")).toBe("000778")
        const c = encodeConnect({
            ...base,
            username: max,
            password: Buffer.alloc(65535, 1),
        })
        expect(refParse(c).packets[0]).toMatchObject({ username: max })
    })

    test("C01 lone surrogates in any string field are rejected (Node-only strings)", () => {
        const base: ConnectOptions = {
            clientId: "a",
            keepAliveS: 60,
            clean: true,
        }
        expect(() => encodeConnect({ ...base, clientId: "\uD800" })).toThrow(/lone surrogate/)
        expect(() => encodeConnect({ ...base, username: "u\uDC00" })).toThrow(/lone surrogate/)
        expect(() =>
            encodePublish({
                topic: "a/\uD800",
                payload: Buffer.alloc(0),
                qos: 0,
                retain: false,
                dup: false,
                id: 0,
            }),
        ).toThrow()
        expect(() => encodeUnsubscribe(1, ["\uDFFF"])).toThrow()
    })

    test("C14 encodedPublishLength counts the packet id only for QoS > 0 and -1 for an invalid topic", () => {
        expect(encodedPublishLength("a/b", 2, 0)).toBe(9)
        expect(encodedPublishLength("a/b", 2, 1)).toBe(11)
        expect(encodedPublishLength("\u20ac", 0, 2)).toBe(9)
        expect(encodedPublishLength("a/+", 0, 0)).toBe(-1)
        expect(encodedPublishLength("", 0, 0)).toBe(-1)
    })

    test("C20 C24 C26 C27 PB: connect flags are consistent for every option combination", () => {
        let n = 0
        for (const clean of [false, true])
            for (const user of [undefined, "", "u"])
                for (const pass of [undefined, Buffer.alloc(0), Buffer.from("p")])
                    for (const will of [undefined, 0, 1, 2])
                        for (const retain of [false, true]) {
                            if (pass !== undefined && user === undefined) continue // C28, tested above
                            const o: ConnectOptions = {
                                clientId: "id",
                                keepAliveS: 30,
                                clean,
                                username: user,
                                password: pass,
                            }
                            if (will !== undefined)
                                o.will = {
                                    topic: "w",
                                    payload: Buffer.from("bye"),
                                    qos: will,
                                    retain,
                                }
                            else if (retain) continue
                            const b = encodeConnect(o)
                            const flags = b[9]
                            expect(flags & 0x01).toBe(0) // C20 reserved
                            expect((flags & 0x02) !== 0).toBe(clean)
                            expect((flags & 0x04) !== 0).toBe(will !== undefined) // C23
                            if (will === undefined)
                                expect(flags & 0x38).toBe(0) // C24
                            else expect((flags >> 3) & 3).toBe(will)
                            expect((flags & 0x80) !== 0).toBe(user !== undefined) // C26
                            expect((flags & 0x40) !== 0).toBe(pass !== undefined) // C27
                            const ref = refParse(b)
                            expect(ref.errors).toEqual([])
                            expect(ref.packets[0]).toMatchObject({
                                cmd: "connect",
                                clean,
                                keepalive: 30,
                                clientId: "id",
                            })
                            n++
                        }
        expect(n).toBe(2 * 7 * 7) // clean x (user, password) pairs x (will QoS, will retain) pairs
    })
})

describe("differential: mqtt-packet parses everything we encode to the same fields (C05, C29)", () => {
    test.each(ENCODE_VECTORS)("mqtt-packet agrees: $name", v => {
        const ref = refParse(encodeVector(v))
        expect(ref.errors).toEqual([])
        expect(ref.packets.length).toBe(1)
        const p = ref.packets[0] as unknown as Record<string, unknown>
        expect(p.cmd).toBe(v.kind)
        if (v.kind === "connect") {
            const o = connectOptions(v)
            expect(p).toMatchObject({
                protocolId: "MQTT",
                protocolVersion: 4,
                clientId: o.clientId,
                keepalive: o.keepAliveS,
                clean: o.clean,
            })
            if (o.username !== undefined) expect(p.username).toBe(o.username)
            if (o.password !== undefined) expect((p.password as Buffer).equals(o.password)).toBe(true)
            if (o.will !== undefined) {
                const w = p.will as {
                    topic: string
                    payload: Buffer
                    qos: number
                    retain: boolean
                }
                expect([w.topic, w.payload.toString("hex"), w.qos, w.retain]).toEqual([
                    o.will.topic,
                    o.will.payload.toString("hex"),
                    o.will.qos,
                    o.will.retain,
                ])
            } else expect(p.will).toBeUndefined()
        } else if (v.kind === "publish") {
            expect(p).toMatchObject({
                topic: v.topic,
                qos: v.qos,
                retain: v.retain,
                dup: v.qos === 0 ? false : v.dup,
            })
            expect((p.payload as Buffer).toString()).toBe(v.payload)
            if (v.qos !== 0) expect(p.messageId).toBe(v.id)
        } else if (v.kind === "subscribe") {
            expect(p.messageId).toBe(v.id)
            expect(p.subscriptions).toEqual(v.filters?.map((topic, i) => ({ topic, qos: v.qoss?.[i] })))
        } else if (v.kind === "unsubscribe") {
            expect(p).toMatchObject({
                messageId: v.id,
                unsubscriptions: v.filters,
            })
        } else if (v.id !== undefined) {
            expect(p.messageId).toBe(v.id)
        }
    })

    test("PB: 2000 random PUBLISH and SUBSCRIBE packets parse identically", () => {
        const rnd = prng(2000)
        const alphabet = ["a", "b", "/", "$", " ", "\u00e9", "\u20ac", "\uD83D\uDE00", "\uFEFF", "-"]
        const word = (min: number, max: number): string => {
            let s = ""
            const n = randInt(rnd, min, max)
            for (let i = 0; i < n; i++) s += alphabet[randInt(rnd, 0, alphabet.length - 1)]
            return s
        }
        for (let n = 0; n < 2000; n++) {
            const topic = "x" + word(0, 20)
            const qos = randInt(rnd, 0, 2)
            const payload = Buffer.alloc(randInt(rnd, 0, n % 50 === 0 ? 20000 : 300), n & 0xff)
            const m = {
                topic,
                payload,
                qos,
                retain: rnd() < 0.5,
                dup: rnd() < 0.5,
                id: qos ? randInt(rnd, 1, 65535) : 0,
            }
            const b = encodePublish(m)
            expect(b.length).toBe(encodedPublishLength(topic, payload.length, qos))
            const ref = refParse(b)
            expect(ref.errors).toEqual([])
            expect(ref.packets[0]).toMatchObject({
                cmd: "publish",
                topic,
                qos,
                retain: m.retain,
                dup: qos > 0 && m.dup,
            })
            if (qos) expect(ref.packets[0]).toMatchObject({ messageId: m.id })
            expect((ref.packets[0] as { payload: Buffer }).payload.equals(payload)).toBe(true)
            const filters = [topic, word(0, 5) + "/#", "+/" + word(1, 3)]
            const s = encodeSubscribe(m.id || 1, filters, [qos, 0, 2])
            expect(refParse(s).packets[0]).toMatchObject({
                cmd: "subscribe",
                subscriptions: [
                    { topic, qos },
                    { topic: filters[1], qos: 0 },
                    { topic: filters[2], qos: 2 },
                ],
            })
        }
    })
})
