import { describe, expect, test } from "vitest"
import {
    deviceLedgers,
    ledgerOf,
    periodOf,
    silenceBoundMs,
    silenceOf,
    type SeenReading,
} from "../../host-sim/ledger/ledger.ts"
import { ledgerInputs, splitByRun } from "../../host-sim/ledger/ledger-inputs.ts"
import { formatLedgers, formatObservation, formatOthers, ledgerProblems } from "../../host-sim/ledger/ledger-report.ts"

describe("loss ledger", () => {
    test("counts duplicates and reports gaps as ranges", () => {
        const l = ledgerOf([1, 2, 2, 3, 7, 8, 10, 3])
        expect(l).toMatchObject({ received: 8, duplicates: 2, firstSeq: 1, lastSeq: 10, missing: 4 })
        expect(l.gaps).toEqual([
            { from: 4, to: 6 },
            { from: 9, to: 9 },
        ])
    })

    test("an empty stream has no gaps", () => {
        expect(ledgerOf([])).toMatchObject({ received: 0, missing: 0, gaps: [] })
    })
})

describe("loss ledger by (device, boot)", () => {
    const r = (device: string, boot: string, seq: number) => ({ device, boot, seq, atMs: 0 })
    const diag = (device: string, boot: string, uptimeMs: number, readingsDropped: Record<string, number>) => ({
        device,
        boot,
        uptimeMs,
        readingsDropped,
    })

    test("a gap inside a boot is explained by the drops that boot counted, and only by those", () => {
        const readings = [1, 2, 5, 6].map(s => r("a", "b1", s))
        const [ok] = deviceLedgers(readings, [diag("a", "b1", 10, {}), diag("a", "b1", 20, { queue_full: 2 })])
        expect(ok).toMatchObject({ received: 4, missing: 2, unexplained: 0, reboots: 0 })
        // The latest report by uptime counts, and another boot's counters do not help.
        const [bad] = deviceLedgers(readings, [
            diag("a", "b1", 30, { queue_full: 1 }),
            diag("a", "b0", 40, { queue_full: 9 }),
        ])
        expect(bad.unexplained).toBe(1)
        expect(formatLedgers([bad])).toMatch(/a: 4 readings, 0 duplicates, 2 missing, 0 reboots seen, 1 NOT EXPLAINED/)
    })

    test("a reboot starts a new seq stream: the old boot's unsent tail is no gap, the new boot counts from 1", () => {
        const readings = [r("a", "b1", 3), r("a", "b1", 4), r("a", "b1", 4), r("a", "b2", 1), r("a", "b2", 2)]
        const [l] = deviceLedgers(readings, [])
        expect(l).toMatchObject({ received: 5, duplicates: 1, missing: 0, reboots: 1, unexplained: 0 })
        // Seqs 1-2 of the first boot seen were sent before the subscriber listened.
        expect(l.boots.map(b => [b.boot, b.firstSeq, b.before])).toEqual([
            ["b1", 3, 0],
            ["b2", 1, 0],
        ])
    })

    test("a later boot whose first seqs never arrived must have counted them as dropped", () => {
        const readings = [r("a", "b1", 1), r("a", "b2", 3), r("a", "b2", 4)]
        expect(deviceLedgers(readings, [])[0]).toMatchObject({ missing: 2, unexplained: 2 })
        expect(deviceLedgers(readings, [diag("a", "b2", 1, { expired: 2 })])[0]).toMatchObject({
            missing: 2,
            unexplained: 0,
        })
        expect(formatLedgers(deviceLedgers(readings, []))).toMatch(
            /boot b2: seq 3\.\.4, 2 received, 0 duplicates, gaps 1-2; device dropped: unknown \(no diagnostics\); 2 not explained/,
        )
    })

    test("inputs: telemetry and diagnostics of <prefix>/<device>/..., anything else skipped", () => {
        const m = (topic: string, p: unknown) => ({
            topic,
            payload: Buffer.from(typeof p === "string" ? p : JSON.stringify(p)),
            atMs: 5,
        })
        const { readings, diagnostics } = ledgerInputs([
            m("devs/a/telemetry", { boot: "b", seq: 1, ts: 99, uptime_ms: 3 }),
            m("devs/a/telemetry", { seq: 2 }),
            m("devs/a/telemetry", "not json"),
            m("devs/a/status", "online"),
            m("other/a/telemetry", { boot: "b", seq: 1 }),
            m("devs/a/diagnostics", { boot: "b", uptime_ms: 7, mqtt: { readings_dropped: { expired: 1 } } }),
        ])
        expect(readings).toEqual([
            { device: "a", boot: "b", seq: 1, ts: 99, atMs: 5, uptimeMs: 3 },
            { device: "a", boot: "", seq: 2, atMs: 5 },
        ])
        expect(diagnostics).toEqual([{ device: "a", boot: "b", uptimeMs: 7, readingsDropped: { expired: 1 }, atMs: 5 }])
    })

    test("readings the broker acknowledged and never delivered are named apart from the device's drops (issue 23)", () => {
        // Seqs 1-6 sent; the broker acknowledged all six (readings_acked 6) but delivered 1, 2, 5, 6.
        const at = (seq: number, atMs: number) => ({ device: "a", boot: "b1", seq, atMs })
        const readings = [at(1, 10), at(2, 20), at(5, 50), at(6, 60), at(7, 80)]
        const report = { ...diag("a", "b1", 70, {}), readingsAcked: 6, atMs: 70 }
        const [l] = deviceLedgers(readings, [report])
        // Seq 7 arrived after the report: acknowledged after it, so not counted against it.
        expect(l).toMatchObject({ missing: 2, unexplained: 0, lostAfterAck: 2 })
        expect(formatLedgers([l])).toMatch(/a: 5 readings, .*, 2 LOST AFTER THE BROKER ACKNOWLEDGED THEM/)
        expect(formatLedgers([l])).toMatch(/; 2 acknowledged by the broker and never delivered/)
        expect(ledgerProblems([l])).toEqual(["a: 2 readings were acknowledged by the broker and never delivered"])
        // The device's own drop count explains a gap; then the broker lost nothing.
        const [dropped] = deviceLedgers(readings, [
            { ...diag("a", "b1", 70, { queue_full: 2 }), readingsAcked: 4, atMs: 70 },
        ])
        expect(dropped).toMatchObject({ missing: 2, unexplained: 0, lostAfterAck: 0 })
        expect(formatLedgers([dropped])).toMatch(/every gap explained/)
        // A firmware without readings_acked: the gap stays unexplained, as before.
        expect(deviceLedgers(readings, [diag("a", "b1", 70, {})])[0]).toMatchObject({ unexplained: 2, lostAfterAck: 0 })
    })
})

describe("what happened before the observer listened is history, not loss (issue 28)", () => {
    const START = Date.UTC(2026, 12 - 1, 7, 17, 33, 41)
    const observation = { startMs: START, endMs: START + 20_000, holes: [] }
    /** Seqs from..to of one boot, every 500 ms, the boot `bootAgoMs` before the observer listened (negative: after). */
    const run = (device: string, boot: string, bootAgoMs: number, from: number, to: number): SeenReading[] =>
        Array.from({ length: to - from + 1 }, (_, i) => {
            const uptimeMs = (from + i) * 500
            return { device, boot, seq: from + i, uptimeMs, atMs: START - bootAgoMs + uptimeMs + 20 }
        })
    const report = (device: string, boot: string, bootAgoMs: number, uptimeMs: number, acked: number) => ({
        device,
        boot,
        uptimeMs,
        readingsDropped: {},
        readingsAcked: acked,
        atMs: START - bootAgoMs + uptimeMs + 20,
    })

    test("a boot that began before the observer: seqs before the first received are neither missing nor acknowledged-and-lost", () => {
        // Booted 7.5 s before the observer listened: seqs 1-14 went out before it; it received 15..54.
        const readings = run("other1", "b1", 7_500, 15, 54)
        // The boot's report at seq 54: the broker had acknowledged all 54, 14 of them before the observer listened.
        const [l] = deviceLedgers(readings, [report("other1", "b1", 7_500, 27_000, 54)], observation)
        expect(l).toMatchObject({ received: 40, missing: 0, unexplained: 0, lostAfterAck: 0, reboots: 0 })
        expect(l.boots[0]).toMatchObject({ before: 0, beforeListening: 14, beganBeforeListening: true })
        const text = formatLedgers([l], observation)
        expect(text).toMatch(/other1: 40 readings, 0 duplicates, 0 missing, 0 reboots seen, every gap explained/)
        expect(text).toMatch(/boot b1: seq 15\.\.54 \(1-14 before the observer listened\), 40 received/)
        expect(ledgerProblems([l])).toEqual([])
    })

    test("acknowledged readings the observer should have seen are still named apart", () => {
        // As above, but two readings after it listened (seqs 30, 31) never arrived, and the device counted no drop.
        const readings = run("other1", "b1", 7_500, 15, 54).filter(r => r.seq !== 30 && r.seq !== 31)
        const [l] = deviceLedgers(readings, [report("other1", "b1", 7_500, 27_000, 54)], observation)
        expect(l).toMatchObject({ missing: 2, unexplained: 0, lostAfterAck: 2 })
    })

    test("a boot first seen after another boot of the name, that its uptime says began before the observer, is no reboot and has no gap", () => {
        // Two clients named sim1: this run's (booted after the observer) is seen first, the other's reading second.
        const readings = [...run("sim1", "mine", -2_000, 1, 3), ...run("sim1", "twin", 6_500, 20, 26)]
        readings.sort((a, b) => a.atMs - b.atMs)
        const [l] = deviceLedgers(readings, [], observation)
        expect(l.boots.map(b => [b.boot, b.beganBeforeListening, b.before, b.beforeListening])).toEqual([
            ["mine", true, 0, 0],
            ["twin", true, 0, 19],
        ])
        expect(l).toMatchObject({ missing: 0, unexplained: 0, reboots: 0 })
        expect(readings[0].boot).toBe("mine")
        // The same readings without the observation's start: a reboot, 19 missing and not explained.
        expect(deviceLedgers(readings, [])[0]).toMatchObject({ missing: 19, unexplained: 19, reboots: 1 })
    })

    test("a later boot that began while the observer listened still owes its first seqs", () => {
        const readings = [...run("a", "b1", 5_000, 10, 12), ...run("a", "b2", -8_000, 3, 5)]
        const [l] = deviceLedgers(readings, [], observation)
        expect(l.boots[1]).toMatchObject({ beganBeforeListening: false, before: 2, beforeListening: 0 })
        expect(l).toMatchObject({ missing: 2, unexplained: 2, reboots: 1 })
    })

    test("a run judges only the devices it started: another name, or a boot of its name from before it listened, is listed apart", () => {
        const readings = [
            ...run("sim1", "mine", -2_000, 1, 30),
            ...run("other1", "o1", 7_500, 15, 54),
            ...run("sim1", "twin", 6_500, 14, 50),
        ]
        const diagnostics = [report("other1", "o1", 7_500, 27_000, 54), report("sim1", "mine", -2_000, 15_000, 30)]
        const { ours, others } = splitByRun({ readings, diagnostics }, ["sim1"], START)
        expect(new Set(ours.readings.map(r => r.boot))).toEqual(new Set(["mine"]))
        expect(ours.diagnostics.map(d => d.boot)).toEqual(["mine"])
        expect(new Set(others.readings.map(r => r.boot))).toEqual(new Set(["o1", "twin"]))
        expect(others.diagnostics.map(d => d.boot)).toEqual(["o1"])
        const mine = deviceLedgers(ours.readings, ours.diagnostics, observation)
        expect(mine.map(d => [d.device, d.received, d.reboots, d.unexplained])).toEqual([["sim1", 30, 0, 0]])
        expect(formatOthers(deviceLedgers(others.readings, others.diagnostics, observation), ["sim1"])).toBe(
            [
                "also seen on the broker, not started by this run (not judged here; npm run verify judges every device):",
                "  other1: 40 readings, boot o1 seq 15..54",
                "  sim1: 37 readings, boot twin seq 14..50 (began before this run listened: another client with this name)",
            ].join("\n"),
        )
        expect(formatOthers([], ["sim1"])).toBe("")
    })
})

describe("silence is a finding (issue 23)", () => {
    const T0 = Date.UTC(2026, 11, 7, 14, 0, 0)
    /** Readings 1..n of one boot, taken every `periodMs` and received as they were taken. */
    const steady = (device: string, n: number, periodMs: number, from = 1): SeenReading[] =>
        Array.from({ length: n }, (_, i) => ({
            device,
            boot: "b1",
            seq: from + i,
            uptimeMs: 1000 + (from + i) * periodMs,
            atMs: T0 + (from + i) * periodMs,
        }))

    test("a device whose readings stop while the observer listens is silent, and never 'every gap explained'", () => {
        const readings = steady("a", 10, 5000)
        const lastAtMs = T0 + 10 * 5000
        const observation = { startMs: T0, endMs: lastAtMs + 120_000, holes: [] }
        const [l] = deviceLedgers(readings, [], observation)
        expect(l).toMatchObject({ missing: 0, unexplained: 0, periodMs: 5000, lastAtMs })
        expect(l.silence).toEqual({ sinceMs: lastAtMs, periodMs: 5000, expected: 24 })
        const report = formatLedgers([l], observation)
        expect(report).toContain(
            "a: 10 readings, 0 duplicates, 0 missing, 0 reboots seen, SILENT since 2026-12-07T14:00:50.000Z (≈ 24 readings expected at its period of 5000 ms)",
        )
        expect(report).not.toContain("every gap explained")
        expect(ledgerProblems([l])).toEqual(["a went silent while the observer listened"])
    })

    test("a device still sending when the observation ends is not silent", () => {
        const readings = steady("a", 10, 5000)
        const observation = { startMs: T0, endMs: T0 + 10 * 5000 + 4000, holes: [] }
        const [l] = deviceLedgers(readings, [], observation)
        expect(l.silence).toBeUndefined()
        expect(formatLedgers([l], observation)).toMatch(/a: 10 readings, .* every gap explained/)
        expect(ledgerProblems([l])).toEqual([])
    })

    test("the bound is three periods, and never less than one period plus 30 s", () => {
        expect(silenceBoundMs(5000)).toBe(35_000)
        expect(silenceBoundMs(20_000)).toBe(60_000)
        expect(silenceBoundMs(60_000)).toBe(180_000)
        const o = (endMs: number) => ({ startMs: 0, endMs, holes: [] })
        expect(silenceOf(1000, 5000, o(1000 + 35_000))).toBeUndefined()
        expect(silenceOf(1000, 5000, o(1000 + 35_001))).toEqual({ sinceMs: 1000, periodMs: 5000, expected: 7 })
    })

    test("the period is measured on the device's clock: readings queued in an outage and delivered in a burst do not shrink it", () => {
        // Seqs 1..6 read 2 s apart and all delivered at once after a reconnect.
        const burst = steady("a", 6, 2000).map(r => ({ ...r, atMs: T0 + 60_000 }))
        expect(periodOf(burst)).toBe(2000)
        // A period changed by downlink: the latest spacing counts.
        const changed = [
            ...steady("a", 6, 5000),
            ...steady("a", 6, 700, 7).map(r => ({ ...r, uptimeMs: 40_000 + r.seq * 700 })),
        ]
        expect(periodOf(changed)).toBe(700)
        // Without uptime_ms (an old firmware), the receipt spacing.
        expect(periodOf(steady("a", 4, 3000).map(({ uptimeMs: _u, ...r }) => r))).toBe(3000)
    })

    test("with one reading (no two consecutive seqs) the period is unknown: silence is not judged, and the report says so", () => {
        const readings = steady("a", 1, 5000)
        const observation = { startMs: T0, endMs: T0 + 600_000, holes: [] }
        const [l] = deviceLedgers(readings, [], observation)
        expect(l.periodMs).toBeNaN()
        expect(l.silence).toBeUndefined()
        expect(formatLedgers([l], observation)).toContain(
            "period unknown (no two consecutive seqs): silence not judged",
        )
    })

    test("time the observer itself was away does not count towards a device's silence", () => {
        const lastAtMs = 10_000
        // 60 s since the last reading, 40 s of them with the observer disconnected: 20 s observed < 35 s.
        const away = {
            startMs: 0,
            endMs: lastAtMs + 60_000,
            holes: [{ fromMs: lastAtMs + 5000, toMs: lastAtMs + 45_000 }],
        }
        expect(silenceOf(lastAtMs, 5000, away)).toBeUndefined()
        // A hole still open at the end runs to the end.
        const stillAway = { startMs: 0, endMs: lastAtMs + 60_000, holes: [{ fromMs: lastAtMs + 20_000 }] }
        expect(silenceOf(lastAtMs, 5000, stillAway)).toBeUndefined()
        // Listening for 50 of the 60 s: silent, and only the observed time counts readings.
        const short = {
            startMs: 0,
            endMs: lastAtMs + 60_000,
            holes: [{ fromMs: lastAtMs + 5000, toMs: lastAtMs + 15_000 }],
        }
        expect(silenceOf(lastAtMs, 5000, short)).toEqual({ sinceMs: lastAtMs, periodMs: 5000, expected: 10 })
    })

    test("a gap whose neighbouring receipts bracket a hole in the observer's own observation is not the device's loss", () => {
        const readings = steady("a", 6, 1000).filter(r => r.seq !== 3 && r.seq !== 4)
        const at = (seq: number) => T0 + seq * 1000
        const hole = { fromMs: at(2) + 100, toMs: at(5) - 100 }
        const observation = { startMs: T0, endMs: at(6) + 500, holes: [hole] }
        const [l] = deviceLedgers(readings, [], observation)
        expect(l).toMatchObject({ missing: 2, unobserved: 2, unexplained: 0 })
        const report = formatLedgers([l], observation)
        expect(report).toContain("every gap explained (2 missing while the observer was away)")
        expect(report).toContain("gaps 3-4; device dropped: unknown (no diagnostics); 2 while the observer was away")
        expect(report).toContain(
            "observer: listened 2026-12-07T14:00:00.000Z to 2026-12-07T14:00:06.500Z, lost the broker 1 time (readings sent meanwhile are not the devices' loss):\n" +
                "  away 2026-12-07T14:00:02.100Z to 2026-12-07T14:00:04.900Z (2.8 s)",
        )
        // A hole elsewhere explains nothing.
        const elsewhere = { ...observation, holes: [{ fromMs: at(5) + 100, toMs: at(5) + 200 }] }
        expect(deviceLedgers(readings, [], elsewhere)[0]).toMatchObject({ missing: 2, unobserved: 0, unexplained: 2 })
    })

    test("the first seqs of a later boot lost while the observer was away are not the device's loss", () => {
        const readings = [
            ...steady("a", 3, 1000),
            { device: "a", boot: "b2", seq: 4, uptimeMs: 4000, atMs: T0 + 20_000 },
            { device: "a", boot: "b2", seq: 5, uptimeMs: 5000, atMs: T0 + 21_000 },
        ]
        const observation = { startMs: T0, endMs: T0 + 22_000, holes: [{ fromMs: T0 + 10_000, toMs: T0 + 19_000 }] }
        expect(deviceLedgers(readings, [], observation)[0]).toMatchObject({ missing: 3, unobserved: 3, unexplained: 0 })
    })

    test("the observer's report names each hole, one still open at the end included", () => {
        expect(formatObservation({ startMs: T0, endMs: T0 + 60_000, holes: [] })).toBe(
            "observer: listened 2026-12-07T14:00:00.000Z to 2026-12-07T14:01:00.000Z, never lost the broker",
        )
        expect(formatObservation({ startMs: T0, endMs: T0 + 60_000, holes: [{ fromMs: T0 + 50_000 }] })).toContain(
            "  away 2026-12-07T14:00:50.000Z to the end (10.0 s, still away)",
        )
    })

    test("a silent device with an unexplained gap reports both, and verify's reasons name both", () => {
        const readings = steady("a", 10, 5000).filter(r => r.seq !== 5)
        const observation = { startMs: T0, endMs: T0 + 10 * 5000 + 100_000, holes: [] }
        const ls = deviceLedgers(readings, [], observation)
        expect(formatLedgers(ls, observation)).toMatch(/1 NOT EXPLAINED, SILENT since .* \(≈ 20 readings expected/)
        expect(ledgerProblems(ls)).toEqual([
            "1 missing reading is not explained by a counted drop or a reboot",
            "a went silent while the observer listened",
        ])
        expect(ledgerProblems([])).toEqual(["no telemetry received"])
    })
})
