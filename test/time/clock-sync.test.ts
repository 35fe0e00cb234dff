import { describe, expect, test } from "vitest"
import { CLOCK_DEFAULTS, ClockSync } from "../../firmware/time/clock-sync.ts"
import { answerTopic, timeAnswer } from "../../host-sim/time-responder.ts"

const answer = (t: number, now: number) => JSON.stringify({ t, now })

describe("clock sync (Cristian: host time + half the round trip)", () => {
    test("before the first answer there is no Unix time: unixMs is NaN, never a guess", () => {
        const c = new ClockSync()
        expect(c.synced()).toBe(false)
        expect(c.unixMs(1000)).toBeNaN()
        expect(c.accuracyMs()).toBe(-1)
    })

    test("the offset puts the host's time at the middle of the round trip, and the bound is rtt/2 + the clock step", () => {
        const c = new ClockSync()
        expect(c.request(10_000)).toBe("10000")
        // Sent at device 10 000, answered with host 1 733 000 000 000, back at device 10 040: rtt 40.
        expect(c.onAnswer(answer(10_000, 1_733_000_000_000), 10_040)).toBe(true)
        expect(c.rttMs).toBe(40)
        expect(c.unixMs(10_040)).toBe(1_733_000_000_020)
        expect(c.unixMs(70_040)).toBe(1_733_000_060_020)
        expect(c.accuracyMs()).toBe(20 + CLOCK_DEFAULTS.granularityMs)
    })

    test("the request carries integer ms, so the echoed value matches exactly", () => {
        const c = new ClockSync()
        expect(c.request(1234.6)).toBe("1235")
        expect(c.onAnswer(answer(1235, 5e12), 1240)).toBe(true)
    })

    test.each([
        [
            "an answer to an older request",
            (c: ClockSync) => (c.request(100), c.request(200), c.onAnswer(answer(100, 5e12), 210)),
        ],
        ["an answer nobody asked for", (c: ClockSync) => c.onAnswer(answer(100, 5e12), 110)],
        [
            "a round trip over maxRttMs",
            (c: ClockSync) => (c.request(100), c.onAnswer(answer(100, 5e12), 100 + CLOCK_DEFAULTS.maxRttMs + 1)),
        ],
        [
            "an answer from the future (negative round trip)",
            (c: ClockSync) => (c.request(100), c.onAnswer(answer(100, 5e12), 99)),
        ],
        ["not JSON", (c: ClockSync) => (c.request(100), c.onAnswer("1733000000000", 110))],
        ["now missing", (c: ClockSync) => (c.request(100), c.onAnswer('{"t":100}', 110))],
        ["now as a string", (c: ClockSync) => (c.request(100), c.onAnswer('{"t":100,"now":"5"}', 110))],
    ])("%s is not used", (_what, run) => {
        const c = new ClockSync()
        expect(run(c)).toBe(false)
        expect(c.synced()).toBe(false)
        expect(c.rejected).toBe(1)
    })

    test("a later good sample replaces the offset; a duplicate of its answer is ignored", () => {
        const c = new ClockSync()
        c.request(0)
        c.onAnswer(answer(0, 1_000_000), 10)
        c.request(600_000)
        expect(c.onAnswer(answer(600_000, 1_600_100), 600_004)).toBe(true)
        expect(c.onAnswer(answer(600_000, 1_600_100), 600_009)).toBe(false)
        expect(c.unixMs(600_004)).toBe(1_600_102)
        expect(c.syncs).toBe(2)
    })
})

describe("time responder (host side)", () => {
    test("answers an integer request with the request's ms and the host's Unix ms", () => {
        expect(timeAnswer("51234", 1_733_000_000_000)).toBe('{"t":51234,"now":1733000000000}')
        expect(timeAnswer(" 7\n", 9)).toBe('{"t":7,"now":9}')
    })

    test.each(["", "abc", "-5", "1.5", "1e3", "1".repeat(16)])("no answer to '%s'", req => {
        expect(timeAnswer(req, 1)).toBeNull()
    })

    test("answers on the device's own resp topic, and only for <prefix>/<device>/time/req", () => {
        expect(answerTopic("devs", "devs/sim1/time/req")).toBe("devs/sim1/time/resp")
        expect(answerTopic("devs", "other/sim1/time/req")).toBeNull()
        expect(answerTopic("devs", "devs/sim1/time/resp")).toBeNull()
        expect(answerTopic("devs", "devs/a/b/time/req")).toBeNull()
    })
})
