/**
 * The benchmark report says what was not measured instead of printing a number for it (issue 28):
 * a smoke run's 200 MQTT.js messages can all arrive within one millisecond, and the smoke run
 * skips the outage runs.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { expect, test } from "vitest"
import { deliveryRatePerS, durationText, outageSection, rateCell } from "../../bench/report-parts.ts"

const ROOT = join(import.meta.dirname, "../..")

test("deliveries all within one millisecond have no rate, and the report says so instead of 0", () => {
    expect(deliveryRatePerS([5, 5, 5])).toBeNaN()
    expect(deliveryRatePerS([5])).toBeNaN()
    expect(deliveryRatePerS([0, 500, 1000])).toBe(2)
    expect(rateCell(NaN)).toMatch(/too fast to time/)
    expect(rateCell(1234.4)).toBe("1234")
})

test("the smoke run's report says the outage table was not run, not an empty table", () => {
    expect(outageSection([], true)).toMatch(/not run in smoke/)
    expect(outageSection([], true)).not.toContain("|")
    const full = outageSection([{ outage_s: 10, devices: 10, recovered: 10, p50_s: 1, p95_s: 2, max_s: 3 }], false)
    expect(full).toContain("| 10 s | 10 | 10 | 1 / 2 / 3 s |")
})

test("bench/run.ts and docs/benchmark.md state the same duration as the committed full run took", () => {
    const took = durationText(JSON.parse(readFileSync(join(ROOT, "bench/results.json"), "utf8")).duration_s)
    expect(took).toBe("15 min")
    expect(readFileSync(join(ROOT, "bench/run.ts"), "utf8")).toContain("about 15 minutes here")
    expect(readFileSync(join(ROOT, "docs/benchmark.md"), "utf8")).toContain("about 15 minutes here")
})
