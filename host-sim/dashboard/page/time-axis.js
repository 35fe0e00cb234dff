// The charts' time axis (uPlot, x in Unix seconds, the browser's local time), with labels that never
// overlap (issue 28). uPlot's default wrote a date and time under the first tick and the time again
// under each new minute, 50 px apart ("12/7/26 11:58pm" ran into "11:59pm" whenever the first tick
// fell in the minute before). Here every line of a label is short and of one kind, a date line is
// written only under the first tick and where the day changes, and ticks are at least the widest
// line any label can have (measured in the axis font) plus LABEL_GAP_PX apart, at any range and
// width. Pure: the page passes `measure` (canvas text width), the tests pass their own.

/** What uPlot draws the labels with (its own default font). */
export const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
/** Free space between the widest two neighbouring labels (px). */
export const LABEL_GAP_PX = 12

const MIN_S = 60
const HOUR_S = 3600
const DAY_S = 86400
const YEAR_S = 365 * DAY_S
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/**
 * Tick steps (s), the smallest that leaves the label space wins (uPlot's choice). Up to 15 minutes
 * is what the window holds; the rest is for a device whose `ts` is far off the others'.
 */
export const TIME_INCRS_S = [
    1, 2, 5, 10, 15, 30,
    MIN_S, 2 * MIN_S, 5 * MIN_S, 10 * MIN_S, 15 * MIN_S, 30 * MIN_S,
    HOUR_S, 2 * HOUR_S, 3 * HOUR_S, 6 * HOUR_S, 12 * HOUR_S,
    DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 28 * DAY_S, 91 * DAY_S, 182 * DAY_S,
    YEAR_S, 2 * YEAR_S, 5 * YEAR_S, 10 * YEAR_S,
] // prettier-ignore

const pad2 = n => String(n).padStart(2, "0")

/** A label's first line: the time of day (seconds only when ticks are less than a minute apart), the day or the year. */
function tickLine(d, incrS) {
    if (incrS >= YEAR_S) return String(d.getFullYear())
    if (incrS >= DAY_S) return `${MONTHS[d.getMonth()]} ${d.getDate()}`
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`
    return incrS >= MIN_S ? hm : `${hm}:${pad2(d.getSeconds())}`
}

/** What the first line leaves out: the day under times, the year under days, nothing under years. */
function contextLine(d, incrS) {
    if (incrS >= YEAR_S) return ""
    if (incrS >= DAY_S) return String(d.getFullYear())
    return `${MONTHS[d.getMonth()]} ${d.getDate()}`
}

/** The labels of `splitsS` ticked every `incrS`: a second line under the first tick and wherever it changes. */
export function timeLabels(splitsS, incrS) {
    let prev = ""
    return splitsS.map(s => {
        const d = new Date(s * 1000)
        const context = contextLine(d, incrS)
        const line = tickLine(d, incrS)
        const label = context && context !== prev ? `${line}\n${context}` : line
        prev = context
        return label
    })
}

/**
 * Ticks every `incrS` from the first whole step in local time at or after `minS` (10:15:00, not
 * 10:14:37), evenly spaced: two neighbours are never closer than the space uPlot chose the step for
 * (its own time ticks move one by an hour across a change to or from summer time).
 */
export function timeSplits(minS, maxS, incrS) {
    const offsetS = -new Date(minS * 1000).getTimezoneOffset() * 60
    const out = []
    for (let s = Math.ceil((minS + offsetS) / incrS) * incrS - offsetS; s <= maxS; s += incrS) out.push(s)
    return out
}

/**
 * The least distance between two ticks (px): the widest line a label can have, whatever the step
 * and the date ("00:00:00" and "Sep 28" with the font's widest digit and month), plus the gap.
 */
export function labelSpacePx(measure) {
    const digit = Math.max(..."0123456789".split("").map(c => measure(c)))
    const month = Math.max(...MONTHS.map(m => measure(`${m} `)))
    const widest = Math.max(6 * digit + 2 * measure(":"), month + 2 * digit)
    return Math.ceil(widest) + LABEL_GAP_PX
}

/** The uPlot x axis: these steps, ticks and labels, `space` from labelSpacePx in AXIS_FONT. */
export function timeAxis(measure) {
    return {
        font: AXIS_FONT,
        space: labelSpacePx(measure),
        incrs: TIME_INCRS_S,
        splits: (_u, _axis, minS, maxS, incrS) => timeSplits(minS, maxS, incrS),
        values: (_u, splitsS, _axis, _space, incrS) => timeLabels(splitsS, incrS),
    }
}

/** Text width (px) in AXIS_FONT, from a canvas of its own. */
export function canvasMeasure() {
    const ctx = document.createElement("canvas").getContext("2d")
    ctx.font = AXIS_FONT
    return text => ctx.measureText(text).width
}
