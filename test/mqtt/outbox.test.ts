import mqttPacket from "mqtt-packet"
import { describe, expect, test } from "vitest"
import { Outbox, type OutboxLimits } from "../../firmware/mqtt/outbox.ts"
import {
    ADD_REPLACE,
    ADD_TAGGED,
    MSG_DONE,
    MSG_DROPPED,
    MSG_INFLIGHT,
    MSG_QUEUED,
    MSG_UNKNOWN,
    OUTCOMES_KEPT,
} from "../../firmware/mqtt/outbox-codes.ts"
import { PacketRing } from "../../firmware/mqtt/packet-ring.ts"
import { ENCODE_VECTORS, hexOf } from "../vectors/codec-vectors.ts"

const LIMITS: OutboxLimits = {
    queueMaxBytes: 4096,
    queueMaxCount: 100,
    windowBytes: 1024,
    maxInflight: 8,
    maxPacketBytes: 4096,
}
const free = () => false

function outbox(over: Partial<OutboxLimits> = {}) {
    const drops: string[] = []
    const o = new Outbox({ ...LIMITS, ...over }, r => drops.push(r))
    return { o, drops }
}

function add(
    o: Outbox,
    payload: string,
    opts: { qos?: number; topic?: string; ttlMs?: number; replace?: boolean; now?: number } = {},
) {
    const topic = opts.topic ?? "t/a"
    return o.add(
        topic,
        Buffer.byteLength(topic),
        Buffer.from(payload),
        opts.ttlMs ?? 0,
        opts.now ?? 0,
        (opts.qos ?? 1) | (opts.replace ? ADD_REPLACE : 0),
    )
}

/** Stages and "writes" everything the window takes; returns the packets as parsed by mqtt-packet. */
function sendAll(o: Outbox, now = 0): mqttPacket.IPublishPacket[] {
    const out: mqttPacket.IPublishPacket[] = []
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    parser.on("packet", p => out.push(p as mqttPacket.IPublishPacket))
    for (;;) {
        while (o.window.nextRun(1024)) {
            parser.parse(Buffer.from(o.window.ring.data.subarray(o.window.runFrom, o.window.runTo)))
            o.window.runWritten(now)
        }
        if (o.stage(now, 1e9, 1e9, free) === 0) break
    }
    return out
}

describe("packet ring", () => {
    test("records stay contiguous, wrap to the start when the end is short, and free space is exact", () => {
        const r = new PacketRing(100, 10)
        const a = r.push(40)
        const b = r.push(40)
        expect([r.off(a), r.off(b)]).toEqual([0, 40])
        expect(r.push(30)).toBe(-1) // 20 left at the end, 0 at the start
        r.shift()
        const c = r.push(30) // the end has 20: wraps to 0
        expect(r.off(c)).toBe(0)
        expect(r.usedBytes()).toBe(100 - 40 + 30)
        expect(r.push(11)).toBe(-1) // 10 free between 30 and 40
        expect(r.off(r.push(10))).toBe(30)
        expect(r.usedBytes()).toBe(100)
    })

    test("the slot table is bounded too", () => {
        const r = new PacketRing(1000, 3)
        for (let i = 0; i < 3; i++) expect(r.push(1)).toBeGreaterThanOrEqual(0)
        expect(r.push(1)).toBe(-1)
    })
})

describe("queue policy", () => {
    test("C64: when the count is full the oldest queued message is dropped and counted", () => {
        const { o, drops } = outbox({ queueMaxCount: 3 })
        const t = [1, 2, 3, 4, 5].map(i => add(o, "m" + i))
        expect(o.count()).toBe(3)
        expect(drops).toEqual(["queue_full", "queue_full"])
        expect(o.stateOf(t[0])).toBe(MSG_DROPPED)
        expect(o.dropReason(t[1])).toBe("queue_full")
        expect(o.stateOf(t[4])).toBe(MSG_QUEUED)
        expect(sendAll(o).map(p => p.payload.toString())).toEqual(["m3", "m4", "m5"])
    })

    test("a message added with replace to a full queue is refused itself; the queued ones stay", () => {
        const { o, drops } = outbox({ queueMaxCount: 3 })
        const t = [1, 2, 3].map(i => add(o, "m" + i))
        const status = o.add("t/s", 3, Buffer.from("status"), 0, 0, 1 | ADD_REPLACE)
        expect(drops).toEqual(["queue_full"])
        expect(o.stateOf(status)).toBe(MSG_DROPPED)
        expect(t.map(x => o.stateOf(x))).toEqual([MSG_QUEUED, MSG_QUEUED, MSG_QUEUED])
        // With room it is queued like any other.
        sendAll(o)
        expect(o.stateOf(o.add("t/s", 3, Buffer.from("status"), 0, 0, 1 | ADD_REPLACE))).toBe(MSG_QUEUED)
    })

    test("when the bytes are full the oldest go, and the ring never holds more than its size", () => {
        const { o } = outbox({ queueMaxBytes: 500 })
        for (let i = 0; i < 200; i++) add(o, "x".repeat(37 + (i % 50)))
        expect(o.queue.usedBytes()).toBeLessThanOrEqual(500)
        const got = sendAll(o).map(p => p.payload.length)
        // The newest message is always kept.
        expect(got.at(-1)).toBe(37 + (199 % 50))
    })

    test("a message larger than the window or the max packet is dropped as too_large at once", () => {
        const { o, drops } = outbox({ windowBytes: 200 })
        const t = add(o, "x".repeat(300))
        expect(o.stateOf(t)).toBe(MSG_DROPPED)
        expect(drops).toEqual(["too_large"])
    })

    test("replace drops an older queued message to the same topic, never one to another topic", () => {
        const { o, drops } = outbox()
        const a = add(o, "old", { topic: "ha/x/config", replace: true })
        const b = add(o, "other", { topic: "ha/y/config", replace: true })
        const c = add(o, "new", { topic: "ha/x/config", replace: true })
        expect(o.stateOf(a)).toBe(MSG_DROPPED)
        expect(o.dropReason(a)).toBe("replaced")
        expect([o.stateOf(b), o.stateOf(c)]).toEqual([MSG_QUEUED, MSG_QUEUED])
        expect(drops).toEqual(["replaced"])
        expect(sendAll(o).map(p => p.payload.toString())).toEqual(["other", "new"])
    })

    test("a message past its TTL is dropped as expired when it reaches the head", () => {
        const { o, drops } = outbox()
        const a = add(o, "stale", { ttlMs: 1000, now: 0 })
        const b = add(o, "fresh", { ttlMs: 1000, now: 1500 })
        expect(sendAll(o, 2001).map(p => p.payload.toString())).toEqual(["fresh"])
        expect(o.dropReason(a)).toBe("expired")
        expect(o.stateOf(b)).toBe(MSG_INFLIGHT)
        expect(drops).toEqual(["expired"])
    })

    test("TTL works across the 2^32 ms wrap of the stored time", () => {
        const { o } = outbox()
        const t0 = 4294967296 - 100
        add(o, "a", { ttlMs: 1000, now: t0 })
        expect(sendAll(o, t0 + 500).map(p => p.payload.toString())).toEqual(["a"])
    })
})

describe("window", () => {
    test("C12 C42: QoS 1 packets get distinct ids, the window caps them, and a rewind resends them with DUP=1 and the same ids", () => {
        const { o } = outbox({ maxInflight: 4 })
        for (let i = 0; i < 6; i++) add(o, "m" + i)
        const first = sendAll(o)
        expect(first.map(p => p.messageId)).toEqual([1, 2, 3, 4])
        expect(first.every(p => !p.dup)).toBe(true)
        expect(o.window.rewind()).toBe(4)
        const again = sendAll(o)
        expect(again.map(p => p.messageId)).toEqual([1, 2, 3, 4])
        expect(again.every(p => p.dup)).toBe(true)
        expect(o.window.ack(2)).toBeGreaterThanOrEqual(0)
        expect(o.window.ack(2)).toBe(-1) // unknown id now
        expect(sendAll(o).map(p => p.payload.toString())).toEqual(["m4"])
    })

    test("the window paces by bytes: no more than windowBytes are outstanding", () => {
        const { o } = outbox({ windowBytes: 300, maxInflight: 32 })
        for (let i = 0; i < 20; i++) add(o, "x".repeat(90))
        const sent = sendAll(o)
        const bytes = sent.reduce((n, p) => n + (p.length ?? 0) + 2, 0)
        expect(bytes).toBeLessThanOrEqual(300)
        expect(sent.length).toBe(3) // 3 × 99 B
    })

    test("QoS 0 packets leave the window once written", () => {
        const { o } = outbox()
        const t = add(o, "q0", { qos: 0 })
        expect(sendAll(o)[0].qos).toBe(0)
        expect(o.stateOf(t)).toBe(MSG_DONE)
        expect(o.count()).toBe(0)
    })

    test("the outcome of the last OUTCOMES_KEPT finished messages is remembered, older ones are unknown", () => {
        const { o } = outbox()
        const t = [] as number[]
        for (let i = 0; i < OUTCOMES_KEPT + 1; i++) t.push(add(o, "m", { qos: 0 }))
        sendAll(o)
        expect(o.stateOf(t[0])).toBe(MSG_UNKNOWN)
        expect(o.stateOf(t[OUTCOMES_KEPT])).toBe(MSG_DONE)
    })
})

describe("packet ids", () => {
    test("C11 C12 PB: over 70 000 publish/ack cycles the allocator never returns 0 nor an id in flight", () => {
        const { o } = outbox({ maxInflight: 50, windowBytes: 4096 })
        let seed = 42
        const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
        const inflight: number[] = []
        for (let i = 0; i < 70_000; i++) {
            add(o, "x")
            for (const p of sendAll(o)) {
                expect(p.messageId).not.toBe(0)
                expect(inflight).not.toContain(p.messageId)
                inflight.push(p.messageId!)
            }
            if (inflight.length > 40 || rand() < 0.5) {
                const k = Math.floor(rand() * inflight.length)
                expect(o.window.ack(inflight[k])).toBeGreaterThanOrEqual(0)
                inflight.splice(k, 1)
            }
        }
    })

    test("C12: ids wrap 65535 -> 1 skipping ids in use, and 0 is returned when all are taken", () => {
        const { o } = outbox()
        for (let i = 0; i < 65534; i++) o.window.allocId(free)
        expect(o.window.allocId(free)).toBe(65535)
        add(o, "a")
        sendAll(o) // takes id 1
        expect(o.window.allocId(free)).toBe(2)
        expect(o.window.allocId(id => id !== 7)).toBe(7)
        expect(o.window.allocId(() => true)).toBe(0) // everything taken: backpressure, never reuse
    })

    test("C12: no id is spent on a packet the window has no room for; with no free id the packet stays queued", () => {
        const { o } = outbox({ windowBytes: 200 })
        add(o, "x".repeat(150))
        add(o, "y".repeat(150))
        expect(sendAll(o).map(p => p.messageId)).toEqual([1]) // the second does not fit yet
        expect(o.window.ack(1)).toBeGreaterThanOrEqual(0)
        expect(sendAll(o).map(p => p.messageId)).toEqual([2]) // not 3: no id was taken while it waited
        const t = add(o, "z")
        expect(o.stage(0, 1e9, 1e9, () => true)).toBe(0) // every id taken elsewhere
        expect(o.stateOf(t)).toBe(MSG_QUEUED)
        expect(o.window.ring.count).toBe(1) // only the packet in flight
    })

    test("ids used by pending SUBSCRIBEs are skipped too", () => {
        const { o } = outbox()
        expect(o.window.allocId(id => id === 1 || id === 2)).toBe(3)
    })
})

describe("readings acknowledged (diagnostics readings_acked, issue 23)", () => {
    test("only tagged messages the broker acknowledged count; drops and untagged ones do not", () => {
        const { o } = outbox({ queueMaxCount: 3 })
        const tagged = (p: string) => o.add("t/r", 3, Buffer.from(p), 0, 0, 1 | ADD_TAGGED)
        tagged("a")
        tagged("b")
        add(o, "diag")
        const sent = sendAll(o)
        for (const p of sent) o.window.ack(p.messageId!)
        expect(o.taggedDone).toBe(2)
        for (let i = 0; i < 5; i++) tagged("x" + i)
        // The queue holds 3: two tagged messages were dropped (queue_full), not acknowledged.
        const more = sendAll(o)
        o.window.ack(more[0].messageId!)
        expect(o.taggedDone).toBe(3)
        o.clear("stopped")
        expect(o.taggedDone).toBe(3)
    })
})

describe("one encoder: the bytes a reading takes through the outbox are the golden PUBLISH bytes (C41 C50)", () => {
    test("queued, staged with the first free id, written, and resent with DUP=1 after a reconnect", () => {
        const v = ENCODE_VECTORS.find(x => x.name === "C50 PUBLISH QoS 1 id 1")!
        const { o } = outbox()
        add(o, v.payload!, { topic: v.topic })
        const written: string[] = []
        const writeAll = () => {
            for (;;) {
                while (o.window.nextRun(1024)) {
                    written.push(
                        Buffer.from(o.window.ring.data.subarray(o.window.runFrom, o.window.runTo)).toString("hex"),
                    )
                    o.window.runWritten(0)
                }
                if (o.stage(0, 1e9, 1e9, free) === 0) break
            }
        }
        writeAll()
        expect(written).toEqual([hexOf(v.bytes!)])
        expect(o.window.rewind()).toBe(1)
        writeAll()
        // The resend: the same packet with DUP (0x08) set in its first byte, nothing else changed.
        expect(written[1]).toBe((0x32 | 0x08).toString(16) + hexOf(v.bytes!).slice(2))
    })
})
