import { describe, expect, test } from "vitest"
import { deviceLedgers, formatLedgers, ledgerInputs, ledgerOf } from "../../host-sim/ledger.ts"

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
            { device: "a", boot: "b", seq: 1, ts: 99, atMs: 5 },
            { device: "a", boot: "", seq: 2, atMs: 5 },
        ])
        expect(diagnostics).toEqual([{ device: "a", boot: "b", uptimeMs: 7, readingsDropped: { expired: 1 } }])
    })
})
