/**
 * Pieces of the benchmark report that must not claim what was not measured (issue 28): a rate
 * from deliveries too close together to time, and the outage table of a smoke run that skips it.
 * Pure.
 */

/** Messages per second from receipt times (ms); NaN when there is no span to time (fewer than 2, or all in one ms). */
export function deliveryRatePerS(atMs: readonly number[]): number {
    const span = atMs.length > 1 ? atMs[atMs.length - 1] - atMs[0] : 0
    return span > 0 ? ((atMs.length - 1) * 1000) / span : NaN
}

/** A rate cell: the rate, or why there is none (never a 0 that reads as "did not work"). */
export function rateCell(perS: number): string {
    return Number.isFinite(perS) ? perS.toFixed(0) : "too fast to time at this count (full run: `npm run bench`)"
}

export interface OutageRow {
    outage_s: number
    devices: number
    recovered: number
    p50_s: number
    p95_s: number
    max_s: number
}

/** The outage-recovery table, or a line saying the smoke run does not run it. */
export function outageSection(rows: readonly OutageRow[], smoke: boolean): string {
    if (smoke) return "Outage recovery (broker refusing for 10, 60, 300 s): not run in smoke."
    return [
        "| outage (refused) | devices | recovered | first delivery after the broker is back: p50 / p95 / max |",
        "| --- | --- | --- | --- |",
        ...rows.map(
            r => `| ${r.outage_s} s | ${r.devices} | ${r.recovered} | ${r.p50_s} / ${r.p95_s} / ${r.max_s} s |`,
        ),
    ].join("\n")
}

/** How long the run took, as the report states it. */
export function durationText(durationS: number): string {
    return durationS < 120 ? `${durationS} s` : `${Math.round(durationS / 60)} min`
}
