/**
 * The Pico W send limit (host-sim/board/send-window.ts): lwIP with Nagle, one MSS-sized pbuf per
 * segment, two segments in MEM_SIZE 4,000 B (pico:src/lwipopts.h:8-15, :43; lwip_sock.c:160-185).
 */
import { describe, expect, test } from "vitest"
import { SendWindow } from "../../../host-sim/board/send-window.ts"
import { BOARD_PROFILES } from "../../../host-sim/board/profiles.ts"

const MODEL = BOARD_PROFILES.picow.sendWindow!

function windowAt() {
    const clock = { t: 1000 }
    return { w: new SendWindow(MODEL, () => clock.t), clock }
}

describe("Pico W send window", () => {
    test("the limit is the first segment plus one MSS: a 100 B first write leaves 1,460 B more", () => {
        const { w } = windowAt()
        expect(w.write(100)).toBe(true) // segment 1, sent at once
        for (let i = 0; i < 14; i++) expect(w.write(100)).toBe(true) // segment 2 fills to 1,400 B under Nagle
        expect(w.write(60)).toBe(true) // 1,460 B: segment 2 is full
        expect(w.outstandingBytes).toBe(1560)
        expect(w.write(1)).toBe(false) // a third segment: ERR_MEM
    })

    test("two full segments (2,920 B) is the most that can ever be outstanding", () => {
        const { w } = windowAt()
        expect(w.write(2920)).toBe(true)
        expect(w.write(1)).toBe(false)
        const fresh = windowAt().w
        expect(fresh.write(2921)).toBe(false)
    })

    test("a failed write queues nothing", () => {
        const { w } = windowAt()
        w.write(1460)
        w.write(1000)
        expect(w.write(500)).toBe(false)
        expect(w.outstandingBytes).toBe(2460)
        expect(w.write(460)).toBe(true)
    })

    test("data from the peer acknowledges everything sent before it, and Nagle then sends the held segment", () => {
        const { w } = windowAt()
        w.write(100)
        w.write(1460) // fills segment 2 (1,460) → sent: it is full
        expect(w.write(1)).toBe(false)
        w.peerData()
        expect(w.outstandingBytes).toBe(0)
        expect(w.write(2920)).toBe(true)
    })

    test("a segment is acknowledged by a delayed ACK after ackAfterMs even if the peer sends no data", () => {
        const { w, clock } = windowAt()
        w.write(2920)
        clock.t += MODEL.ackAfterMs - 1
        expect(w.write(1)).toBe(false)
        clock.t += 1
        expect(w.outstandingBytes).toBe(0)
        expect(w.write(1)).toBe(true)
    })

    test("while the network is down nothing is acknowledged; the ACK clock restarts when it is back", () => {
        const { w, clock } = windowAt()
        w.write(1000)
        w.setAcksFlow(false)
        clock.t += 10_000
        w.peerData()
        expect(w.outstandingBytes).toBe(1000)
        w.setAcksFlow(true)
        clock.t += MODEL.ackAfterMs - 1
        expect(w.outstandingBytes).toBe(1000)
        clock.t += 1
        expect(w.outstandingBytes).toBe(0)
    })
})
