/**
 * The charts' time axis (host-sim/dashboard/page/time-axis.js, issue 28) one piece at a time: the
 * label of each tick, where the date line goes, evenly spaced ticks in local time, and a label
 * space that holds the widest line any tick can have. test/e2e/dashboard-axis.test.ts checks what
 * Chromium draws with it. Times are built in the local zone, so the expectations hold in any.
 */
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, test } from "vitest"
import { PROJECT_DIR } from "../../../host-sim/simulation.ts"

interface TimeAxis {
    LABEL_GAP_PX: number
    TIME_INCRS_S: number[]
    timeLabels(splitsS: number[], incrS: number): string[]
    timeSplits(minS: number, maxS: number, incrS: number): number[]
    labelSpacePx(measure: (text: string) => number): number
}

// The page's own module, as the browser loads it (plain JavaScript, no types).
const axis = (await import(pathToFileURL(join(PROJECT_DIR, "host-sim/dashboard/page/time-axis.js")).href)) as TimeAxis

/** Unix seconds of a local time. */
const at = (month: number, day: number, h: number, m: number, s: number) =>
    new Date(2026, month - 1, day, h, m, s).getTime() / 1000
const every = (fromS: number, n: number, incrS: number) => Array.from({ length: n }, (_, i) => fromS + i * incrS)

/** A proportional font as a fake: wide capitals, narrow punctuation, every digit as wide as "0". */
const measure = (text: string) =>
    [...text].reduce((w, c) => w + (/[A-Z]/.test(c) ? 9 : /[a-z]/.test(c) ? 6.5 : /\d/.test(c) ? 7 : 3.5), 0)

describe("time axis labels", () => {
    test("ticks less than a minute apart read HH:MM:SS, the first with its day under it", () => {
        expect(axis.timeLabels(every(at(12, 7, 23, 58, 50), 4, 10), 10)).toEqual([
            "23:58:50\nDec 7",
            "23:59:00",
            "23:59:10",
            "23:59:20",
        ])
    })

    test("the day is written again under the first tick of a new day, and nowhere else", () => {
        expect(axis.timeLabels(every(at(12, 7, 23, 59, 30), 4, 15), 15)).toEqual([
            "23:59:30\nDec 7",
            "23:59:45",
            "00:00:00\nDec 8",
            "00:00:15",
        ])
    })

    test("ticks a minute or more apart read HH:MM (24-hour, zero-padded)", () => {
        expect(axis.timeLabels(every(at(12, 8, 9, 58, 0), 3, 120), 120)).toEqual(["09:58\nDec 8", "10:00", "10:02"])
    })

    test("ticks a day or more apart read the day, the year under the first; a year or more apart, the year alone", () => {
        expect(axis.timeLabels(every(at(12, 30, 0, 0, 0), 3, 86_400), 86_400)).toEqual([
            "Dec 30\n2026",
            "Dec 31",
            "Jan 1\n2027",
        ])
        expect(axis.timeLabels([at(6, 1, 0, 0, 0), at(6, 1, 0, 0, 0) + 365 * 86_400], 365 * 86_400)).toEqual([
            "2026",
            "2027",
        ])
    })
})

describe("time axis ticks", () => {
    test("are evenly spaced, inside the range, and on whole steps of local time", () => {
        const minS = at(12, 7, 23, 58, 49) + 0.3
        const splits = axis.timeSplits(minS, minS + 60, 10)
        expect(splits.map(s => new Date(s * 1000).getSeconds())).toEqual([50, 0, 10, 20, 30, 40])
        expect(splits[0]).toBeGreaterThanOrEqual(minS)
        expect(splits[splits.length - 1]).toBeLessThanOrEqual(minS + 60)
        for (const incrS of [60, 300, 900, 3600]) {
            const s = axis.timeSplits(minS, minS + 4 * incrS, incrS)
            expect(s.slice(1).map((x, i) => x - s[i])).toEqual(s.slice(1).map(() => incrS))
            const d = new Date(s[0] * 1000)
            expect((d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds()) % incrS).toBe(0)
        }
    })
})

describe("time axis label space", () => {
    test("holds the widest line of any label at any step and any date, plus the gap", () => {
        const space = axis.labelSpacePx(measure)
        let widest = 0
        for (let month = 1; month <= 12; month++)
            for (const incrS of axis.TIME_INCRS_S)
                for (const label of axis.timeLabels(
                    [at(month, 28, 23, 59, 59), at(month, 28, 23, 59, 59) + incrS],
                    incrS,
                ))
                    for (const line of label.split("\n")) widest = Math.max(widest, measure(line))
        expect(widest).toBeLessThanOrEqual(space - axis.LABEL_GAP_PX)
    })
})
