/**
 * What the dashboard's charts wrote on their canvases, as boxes, and which of them overlap (issue 28:
 * the x-axis date labels ran into each other). uPlot draws its axis labels on the canvas, not in the
 * DOM, so a script installed before the page's own records every fillText of the latest frame (a
 * frame starts with a clear of the whole canvas) with its box in canvas pixels. The page side is
 * plain JavaScript text: what the test runner compiles would carry its helpers into the browser.
 */
import type { Page } from "playwright-core"

/** page.addInitScript(RECORD_CANVAS_TEXT) before page.goto. */
export const RECORD_CANVAS_TEXT = `(() => {
    const frames = new WeakMap()
    window.__canvasText = canvas => frames.get(canvas) ?? []
    const proto = CanvasRenderingContext2D.prototype
    const clearRect = proto.clearRect
    proto.clearRect = function (x, y, w, h) {
        if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) frames.set(this.canvas, [])
        return clearRect.call(this, x, y, w, h)
    }
    const fillText = proto.fillText
    proto.fillText = function (text, x, y, ...rest) {
        const m = this.measureText(text)
        const t = this.getTransform()
        const left = this.textAlign === "center" ? x - m.width / 2 : this.textAlign === "right" || this.textAlign === "end" ? x - m.width : x
        const box = {
            text: String(text),
            left: t.a * left + t.e,
            right: t.a * (left + m.width) + t.e,
            top: t.d * (y - m.actualBoundingBoxAscent) + t.f,
            bottom: t.d * (y + m.actualBoundingBoxDescent) + t.f,
        }
        if (!frames.has(this.canvas)) frames.set(this.canvas, [])
        frames.get(this.canvas).push(box)
        return fillText.call(this, text, x, y, ...rest)
    }
})()`

export interface TextBox {
    text: string
    left: number
    right: number
    top: number
    bottom: number
}

export interface ChartText {
    quantity: string
    /** The canvas size in its own pixels. */
    width: number
    height: number
    boxes: TextBox[]
}

/** Every chart's canvas text of its latest frame (RECORD_CANVAS_TEXT must be installed). */
export function chartText(page: Page): Promise<ChartText[]> {
    return page.evaluate(`[...document.querySelectorAll(".chart")].map(box => {
        const canvas = box.querySelector("canvas")
        return {
            quantity: box.dataset.quantity,
            width: canvas ? canvas.width : 0,
            height: canvas ? canvas.height : 0,
            boxes: canvas ? window.__canvasText(canvas) : [],
        }
    })`)
}

const overlap = (a: TextBox, b: TextBox) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom

/** "quantity: 'a' overlaps 'b'" for each pair of texts on one canvas that overlap; empty when none do. */
export function overlaps(charts: readonly ChartText[]): string[] {
    const out: string[] = []
    for (const c of charts)
        for (let i = 0; i < c.boxes.length; i++)
            for (let j = i + 1; j < c.boxes.length; j++)
                if (overlap(c.boxes[i], c.boxes[j]))
                    out.push(`${c.quantity}: '${c.boxes[i].text}' overlaps '${c.boxes[j].text}'`)
    return out
}

/** "quantity: 'a' is cut at the edge" for each text that leaves its canvas. */
export function outside(charts: readonly ChartText[]): string[] {
    const out: string[] = []
    for (const c of charts)
        for (const b of c.boxes)
            if (b.left < 0 || b.top < 0 || b.right > c.width || b.bottom > c.height)
                out.push(`${c.quantity}: '${b.text}' is cut at the edge`)
    return out
}
