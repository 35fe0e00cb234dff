import { describe, expect, test } from "vitest"
import { MSG_QUEUED, Outbox, type OutMessage } from "../../firmware/mqtt/outbox.ts"

function msg(bytes = 10): OutMessage {
    return { topic: "t", payload: Buffer.alloc(0), qos: 1, retain: false, id: 0, dup: false, bytes, enqueuedMs: 0, ttlMs: 0, replaceKey: "", state: MSG_QUEUED, reason: "", sentMs: 0 }
}

describe("packet ids", () => {
    test("C11 C12 PB: over 70 000 allocate/ack cycles the allocator never returns 0 nor an id in flight", () => {
        const o = new Outbox({ maxCount: 100, maxBytes: 1e9 }, () => {})
        let seed = 42
        const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
        for (let i = 0; i < 70_000; i++) {
            const m = msg()
            const id = o.allocId(() => false)
            expect(id).not.toBe(0)
            expect(o.idInUse(id)).toBe(false)
            o.markInflight(m, id, 0)
            // Ack a random in-flight message now and then, keeping up to ~50 in flight.
            if (o.inflight.length > 50 || rand() < 0.5) o.ack(o.inflight[Math.floor(rand() * o.inflight.length)].id)
        }
    })

    test("C12: ids wrap 65535 -> 1 skipping ids in use, and 0 is returned when all are taken", () => {
        const o = new Outbox({ maxCount: 100, maxBytes: 1e9 }, () => {})
        for (let i = 0; i < 65534; i++) o.allocId(() => false)
        o.markInflight(msg(), 1, 0)
        expect(o.allocId(() => false)).toBe(65535)
        expect(o.allocId(() => false)).toBe(2) // wrapped, skipping 1 (in flight)
        expect(o.allocId(id => id !== 7)).toBe(7)
        expect(o.allocId(() => true)).toBe(0) // everything taken: backpressure, never reuse
    })

    test("ids used by pending SUBSCRIBEs are skipped too", () => {
        const o = new Outbox({ maxCount: 10, maxBytes: 1e9 }, () => {})
        expect(o.allocId(id => id === 1 || id === 2)).toBe(3)
    })
})
