// One uPlot chart per quantity, one line per device. Time axis: `ts` when a reading carries it,
// else its arrival time (the server decides, see state.ts). A line breaks wherever (boot, seq) does
// not continue: a gap of lost readings or a reboot. Each chart follows its box's width, and its time
// axis (time-axis.js) keeps the labels apart at any width and range.
/* global uPlot */
import { canvasMeasure, timeAxis } from "./time-axis.js"

const COLORS = [
    "#0969da",
    "#cf222e",
    "#1a7f37",
    "#8250df",
    "#bf8700",
    "#1b7c83",
    "#e16f24",
    "#6e7781",
    "#a475f9",
    "#2da44e",
]
const PLOT_HEIGHT_PX = 180
const MIN_WIDTH_PX = 320

export class Charts {
    /** `units`: quantity → unit, as the server's snapshot sends it (firmware/telemetry/quantities.ts). */
    constructor(root, windowMs, units) {
        this.root = root
        this.windowMs = windowMs
        this.units = units ?? {}
        /** quantity → device → points sorted by t */
        this.data = new Map()
        this.charts = new Map()
        this.deviceColors = new Map()
        this.dirty = new Set()
        this.xAxis = timeAxis(canvasMeasure())
    }

    colorOf(device) {
        if (!this.deviceColors.has(device))
            this.deviceColors.set(device, COLORS[this.deviceColors.size % COLORS.length])
        return this.deviceColors.get(device)
    }

    add(points) {
        for (const p of points) {
            let byDev = this.data.get(p.q)
            if (!byDev) this.data.set(p.q, (byDev = new Map()))
            let arr = byDev.get(p.device)
            if (!arr) byDev.set(p.device, (arr = []))
            // Readings arrive in order except resends after an outage: insert in place.
            let i = arr.length
            while (i > 0 && arr[i - 1].t > p.t) i--
            arr.splice(i, 0, p)
            this.dirty.add(p.q)
        }
    }

    /** Redraws the charts whose data changed; `sensorNotes(q)` names the sensors of that quantity that are not ok. */
    render(nowMs, sensorNotes) {
        const from = nowMs - this.windowMs
        for (const [q, byDev] of this.data) {
            for (const [dev, arr] of byDev) {
                let cut = 0
                while (cut < arr.length && arr[cut].t < from) cut++
                if (cut) {
                    arr.splice(0, cut)
                    this.dirty.add(q)
                }
                if (!arr.length) byDev.delete(dev)
            }
            const box = this.chartBox(q)
            box.querySelector(".sensor-status").innerHTML = sensorNotes(q)
            if (!this.dirty.has(q)) continue
            this.draw(q, byDev, box)
        }
        this.dirty.clear()
    }

    chartBox(q) {
        const known = this.charts.get(q)
        if (known) return known.box
        const box = document.createElement("div")
        box.className = "chart"
        box.dataset.quantity = q
        const unit = this.units[q.split("_")[0]] ?? ""
        box.innerHTML = `<h3>${q}${unit ? ` <span class="muted">(${unit})</span>` : ""}</h3><div class="plot"></div><div class="sensor-status"></div>`
        const sorted = [...this.charts.keys(), q].sort()
        const next = this.charts.get(sorted[sorted.indexOf(q) + 1])
        this.root.insertBefore(box, next ? next.box : null)
        const c = { box, plot: null, devices: "" }
        this.charts.set(q, c)
        // A wider or narrower window (or a grid that reflows) resizes the chart: uPlot then picks its ticks for the new width.
        new ResizeObserver(() => {
            const width = this.plotWidth(box)
            if (c.plot && c.plot.width !== width) c.plot.setSize({ width, height: PLOT_HEIGHT_PX })
        }).observe(box.querySelector(".plot"))
        return box
    }

    draw(q, byDev, box) {
        const devices = [...byDev.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
        // Each device's points; where (boot, seq) does not continue, a break: the device's series is
        // null (a gap for uPlot) at every x inside it, plus one x in the middle in case there is none.
        const xs = new Set()
        const series = devices.map(dev => {
            const values = new Map()
            const breaks = []
            const arr = byDev.get(dev)
            arr.forEach((p, i) => {
                const prev = arr[i - 1]
                if (prev && (prev.boot !== p.boot || p.seq !== prev.seq + 1)) {
                    breaks.push([prev.t, p.t])
                    xs.add((prev.t + p.t) / 2)
                }
                values.set(p.t, p.v)
                xs.add(p.t)
            })
            return { values, breaks }
        })
        const x = [...xs].sort((a, b) => a - b)
        const column = ({ values, breaks }) => {
            let b = 0
            return x.map(t => {
                if (values.has(t)) return values.get(t)
                while (b < breaks.length && breaks[b][1] <= t) b++
                return b < breaks.length && breaks[b][0] < t ? null : undefined
            })
        }
        const data = [x.map(t => t / 1000), ...series.map(column)]
        const counts = {}
        devices.forEach(dev => (counts[dev] = byDev.get(dev).length))
        box.dataset.points = String(Object.values(counts).reduce((a, b) => a + b, 0))
        box.dataset.series = JSON.stringify(counts)
        const c = this.charts.get(q)
        const key = devices.join(",")
        if (c.plot && c.devices === key) return c.plot.setData(data)
        c.plot?.destroy()
        c.devices = key
        c.plot = new uPlot(
            {
                width: this.plotWidth(box),
                height: PLOT_HEIGHT_PX,
                cursor: { drag: { x: false, y: false } },
                legend: { live: true },
                series: [
                    {},
                    ...devices.map(dev => ({ label: dev, stroke: this.colorOf(dev), width: 1.5, points: { size: 4 } })),
                ],
                axes: [this.xAxis, { size: 60 }],
                // Room for half a label right of the plot: a tick at the last reading keeps its whole label.
                padding: [null, Math.ceil(this.xAxis.space / 2), null, null],
            },
            data,
            box.querySelector(".plot"),
        )
    }

    plotWidth(box) {
        return Math.max(MIN_WIDTH_PX, box.querySelector(".plot").clientWidth || 500)
    }
}
