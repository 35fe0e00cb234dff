/**
 * Issue 28: the dashboard's x-axis date labels overlapped ("12/7/26 11:58pm" ran into "11:59pm"
 * whenever the first tick fell in the minute before a new one). The page as served, in Debian's
 * Chromium, draws a chart of readings over each realistic run length — a minute, a few minutes, and
 * the 15-minute window that an hour's or a day's run shows — starting at places before a new minute,
 * hour and day, in boxes from the narrowest chart to a wide window; and the texts each canvas drew
 * (test/support/chart-text.ts) must not overlap nor leave the canvas. No device runs here: the
 * charts get their points as the feed would send them. test/host-sim/dashboard/time-axis.test.ts
 * covers the labels and ticks one by one.
 */
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { brokerTarget } from "../../host-sim/link/broker-connect.ts"
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host-sim/brokers/broker.ts"
import { startDashboard, type RunningDashboard } from "../../host-sim/dashboard/dashboard.ts"
import { chartText, outside, overlaps, RECORD_CANVAS_TEXT } from "../support/chart-text.ts"
import { launchChromium } from "../../host-sim/dashboard/chromium.ts"
import { installed } from "../support/required.ts"

/** A zone with summer time and a day that does not start at a UTC midnight. */
const TIMEZONE = "Europe/Berlin"
/** Chart box widths (px): narrower than the chart's minimum, one grid column, two columns, a wide window. */
const WIDTHS = [300, 520, 800, 1400]
/** [name, seconds of readings, period in s] */
const RUNS: [string, number, number][] = [
    ["30 s", 30, 0.5],
    ["a minute", 60, 1],
    ["5 minutes", 300, 1],
    ["an hour or a day (the 15-minute window)", 900, 5],
]
/** Where the readings start: this many seconds before a local midnight (a new minute, hour and day at once). */
const STARTS_BEFORE_MIDNIGHT_S = [1, 11, 49, 58, 299, 601, 3599]

/**
 * In the page: a chart of `spanS` seconds of readings every `periodS` from `startMs` (ts as the feed sends
 * it, ms) from two devices, drawn at `nowMs` (default: the last reading) by the page's own charts.js in a
 * box `width` px wide.
 */
const DRAW = `async ({ width, startMs, spanS, periodS, nowMs }) => {
    const { Charts } = await import("/charts.js")
    let root = document.getElementById("axis-test")
    if (!root) {
        root = document.createElement("div")
        root.id = "axis-test"
        document.body.prepend(root)
    }
    root.innerHTML = ""
    root.style.width = width + "px"
    const charts = new Charts(root, 15 * 60_000, { temperature: "°C" })
    const points = []
    for (let i = 0; i * periodS <= spanS; i++)
        for (const device of ["sim1", "sim2"])
            points.push({ q: "temperature", device, t: startMs + i * periodS * 1000, v: 20 + Math.sin(i / 10) + (device === "sim2" ? 2 : 0), boot: "b", seq: i + 1 })
    charts.add(points)
    charts.render(nowMs ?? startMs + spanS * 1000, () => "")
    window.__axisCharts = charts
}`

/** Resolves once the test chart has drawn a frame at `cssWidth` (uPlot draws after a microtask). */
async function drawn(page: Page, cssWidth?: number): Promise<void> {
    await page.waitForFunction(
        `(() => {
            const canvas = document.querySelector("#axis-test canvas")
            const width = ${cssWidth ?? 0}
            return !!canvas && window.__canvasText(canvas).length > 0 && (!width || canvas.width === Math.round(width * devicePixelRatio))
        })()`,
        undefined,
        { timeout: 10_000 },
    )
}

describe.skipIf(!installed("chromium"))("the charts' time axis in Chromium (issue 28)", () => {
    let broker: EmbeddedBroker
    let dashboard: RunningDashboard
    let browser: Browser
    let page: Page

    beforeAll(async () => {
        broker = await startEmbeddedBroker()
        dashboard = await startDashboard({ target: brokerTarget(broker.url, {}), prefix: "devs", port: 0 })
        browser = await launchChromium()
        const context = await browser.newContext({ timezoneId: TIMEZONE, viewport: { width: 1600, height: 900 } })
        page = await context.newPage()
        await page.addInitScript(RECORD_CANVAS_TEXT)
        await page.goto(dashboard.url)
    })
    afterAll(async () => {
        await browser?.close()
        await dashboard?.stop()
        await broker?.close()
    })

    test("no two labels overlap and none is cut, for a run of 30 s, a minute, 5 minutes or the 15-minute window, at every width, across a new minute, hour and day", async () => {
        const problems: string[] = []
        let labelled = 0
        const midnightMs = await page.evaluate(`new Date(2026, 11, 8).getTime()`)
        for (const width of WIDTHS)
            for (const [run, spanS, periodS] of RUNS)
                for (const beforeS of STARTS_BEFORE_MIDNIGHT_S) {
                    const startMs = (midnightMs as number) - beforeS * 1000
                    await page.evaluate(`(${DRAW})(${JSON.stringify({ width, startMs, spanS, periodS })})`)
                    await drawn(page)
                    const charts = await chartText(page)
                    const at = `${run}, ${width} px, from ${beforeS} s before midnight`
                    problems.push(...[...overlaps(charts), ...outside(charts)].map(p => `${at}: ${p}`))
                    if (charts[0].boxes.filter(b => /^\d\d:\d\d/.test(b.text)).length >= 2) labelled++
                }
        expect(problems).toEqual([])
        // Every case drew at least two time labels: the checks above had something to check.
        expect(labelled).toBe(WIDTHS.length * RUNS.length * STARTS_BEFORE_MIDNIGHT_S.length)
    })

    test("a chart follows its box when the window narrows and widens, and its labels stay apart", async () => {
        const midnightMs = (await page.evaluate(`new Date(2026, 11, 8).getTime()`)) as number
        await page.evaluate(
            `(${DRAW})(${JSON.stringify({ width: 1400, startMs: midnightMs - 58_000, spanS: 900, periodS: 5 })})`,
        )
        await drawn(page, 1400 - 14)
        const wide = await chartText(page)
        // 14 px: the chart box's padding and border (style.css).
        for (const width of [520, 1000]) {
            await page.evaluate(`document.getElementById("axis-test").style.width = "${width}px"`)
            await drawn(page, width - 14)
            const charts = await chartText(page)
            expect([...overlaps(charts), ...outside(charts)]).toEqual([])
            if (width === 520) expect(charts[0].boxes.length).toBeLessThan(wide[0].boxes.length)
        }
    })

    // The window keeps the last 15 minutes by host clock: a reading whose ts is ahead of it stays.
    test("a device whose ts is days ahead stretches the axis to days, labelled by day, still apart", async () => {
        const midnightMs = (await page.evaluate(`new Date(2026, 11, 8).getTime()`)) as number
        await page.evaluate(
            `(${DRAW})(${JSON.stringify({ width: 800, startMs: midnightMs, spanS: 20 * 86_400, periodS: 6 * 3600, nowMs: midnightMs + 60_000 })})`,
        )
        await drawn(page)
        const charts = await chartText(page)
        expect([...overlaps(charts), ...outside(charts)]).toEqual([])
        const texts = charts[0].boxes.map(b => b.text)
        expect(texts).toContain("2026")
        expect(texts.filter(t => /^Dec \d+$/.test(t)).length).toBeGreaterThanOrEqual(3)
    })
})
