import { describe, expect, test } from "vitest"
import { CLOCK_DEFAULTS, ClockSync } from "../../firmware/time/clock-sync.ts"
import { answerTopic, timeAnswer } from "../../host-sim/time/time-responder.ts"

const answer = (t: number, now: number) => JSON.stringify({ t, now })
/** 2026-12-07: a plausible Unix time (inside CLOCK_DEFAULTS' window). */
const T0 = 1_796_600_000_000

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
        // Sent at device 10 000, answered with host 1 795 000 000 000, back at device 10 040: rtt 40.
        expect(c.onAnswer(answer(10_000, 1_795_000_000_000), 10_040)).toBe(true)
        expect(c.rttMs).toBe(40)
        expect(c.unixMs(10_040)).toBe(1_795_000_000_020)
        expect(c.unixMs(70_040)).toBe(1_795_000_060_020)
        expect(c.accuracyMs()).toBe(20 + CLOCK_DEFAULTS.granularityMs)
    })

    test("the request carries integer ms, so the echoed value matches exactly", () => {
        const c = new ClockSync()
        expect(c.request(1234.6)).toBe("1235")
        expect(c.onAnswer(answer(1235, T0), 1240)).toBe(true)
    })

    test.each([
        [
            "an answer to an older request",
            (c: ClockSync) => (c.request(100), c.request(200), c.onAnswer(answer(100, T0), 210)),
        ],
        ["an answer nobody asked for", (c: ClockSync) => c.onAnswer(answer(100, T0), 110)],
        [
            "a round trip over maxRttMs",
            (c: ClockSync) => (c.request(100), c.onAnswer(answer(100, T0), 100 + CLOCK_DEFAULTS.maxRttMs + 1)),
        ],
        [
            "an answer from the future (negative round trip)",
            (c: ClockSync) => (c.request(100), c.onAnswer(answer(100, T0), 99)),
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
        c.onAnswer(answer(0, T0 + 1_000_000), 10)
        c.request(600_000)
        expect(c.onAnswer(answer(600_000, T0 + 1_600_100), 600_004)).toBe(true)
        expect(c.onAnswer(answer(600_000, T0 + 1_600_100), 600_009)).toBe(false)
        expect(c.unixMs(600_004)).toBe(T0 + 1_600_102)
        expect(c.syncs).toBe(2)
    })
})

describe("a lying or broken time server (issue 22)", () => {
    const YEAR_MS = 365.25 * 24 * 3600 * 1000
    test.each([
        ["10 years in the past", T0 - 10 * YEAR_MS],
        ["10 years ahead", T0 + 10 * YEAR_MS],
        ["1e300", 1e300],
        ["0", 0],
        ["negative", -T0],
    ])("an answer %s is refused and counted; ts stays absent", (_what, now) => {
        const c = new ClockSync()
        c.request(100)
        expect(c.onAnswer(answer(100, now), 110)).toBe(false)
        expect([c.refused, c.rejected, c.syncs]).toEqual([1, 1, 0])
        expect(c.unixMs(200)).toBeNaN()
    })

    test("NaN and Infinity do not parse as numbers in JSON: refused as malformed", () => {
        const c = new ClockSync()
        c.request(100)
        expect(c.onAnswer('{"t":100,"now":Infinity}', 110)).toBe(false)
        expect(c.synced()).toBe(false)
    })

    test("a step back of an hour is counted, and ts never goes backwards: it holds until the clock passes it", () => {
        const c = new ClockSync()
        c.request(0)
        c.onAnswer(answer(0, T0), 10)
        const before = c.unixMs(60_000)
        c.request(60_000)
        expect(c.onAnswer(answer(60_000, T0 + 60_000 - 3_600_000), 60_010)).toBe(true)
        expect(c.stepsBack).toBe(1)
        const seen: number[] = []
        for (let d = 60_010; d < 60_010 + 2 * 3_600_000; d += 60_000) seen.push(c.unixMs(d))
        for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1])
        expect(seen[0]).toBe(before)
        expect(seen[seen.length - 1]).toBeGreaterThan(before)
    })

    test("a step forward, or back within the error bounds, is no step back", () => {
        const c = new ClockSync()
        c.request(0)
        c.onAnswer(answer(0, T0), 40)
        c.request(60_000)
        c.onAnswer(answer(60_000, T0 + 60_000 - 30), 60_040)
        c.request(120_000)
        c.onAnswer(answer(120_000, T0 + 3_600_000), 120_040)
        expect(c.stepsBack).toBe(0)
        expect(c.syncs).toBe(3)
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
