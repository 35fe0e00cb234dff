/**
 * The live view on a terminal: one row per device with its latest values and
 * sensor statuses, redrawn in place. (Piped output gets one line per message
 * instead, see live-view.ts.)
 */
import { NOT_QUANTITIES, clip } from "./live-view.ts"
import { quantity } from "../../firmware/telemetry/quantities.ts"
import type { Observed } from "../ledger/observer.ts"
import { deviceTopic } from "../ledger/topic-table.ts"

const REDRAW_MS = 500
const LOG_LINES = 6
const LOG_CHARS = 150

interface Row {
    online: string
    seq: number
    values: Record<string, number>
    status: Record<string, { status: string; error: string }>
    atMs: number
}

export class LiveTable {
    private readonly rows = new Map<string, Row>()
    private readonly recentLog: string[] = []
    private timer?: NodeJS.Timeout
    private lines = 0

    constructor(
        private readonly out: NodeJS.WriteStream,
        private readonly header: string,
        private readonly prefix = "devs",
    ) {}

    start(): void {
        this.timer = setInterval(() => this.draw(), REDRAW_MS)
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer)
        this.draw()
    }

    update(m: Observed): void {
        const t = deviceTopic(m.topic, this.prefix)
        if (!t) return
        const { device, kind } = t
        const row = this.rows.get(device) ?? { online: "?", seq: 0, values: {}, status: {}, atMs: 0 }
        this.rows.set(device, row)
        if (kind === "status") row.online = m.payload.toString()
        if (kind !== "telemetry") return
        try {
            const p = JSON.parse(m.payload.toString()) as Record<string, unknown>
            row.seq = Number(p.seq)
            row.values = {}
            for (const [k, v] of Object.entries(p))
                if (typeof v === "number" && !NOT_QUANTITIES.includes(k)) row.values[k] = v
            row.status = (p.status as Row["status"]) ?? {}
            row.atMs = m.atMs
        } catch {
            /* not JSON: keep the last good row */
        }
    }

    /** A device log line, shown under the table (the last few). */
    log(line: string): void {
        this.recentLog.push(line)
        if (this.recentLog.length > LOG_LINES) this.recentLog.shift()
    }

    /** The table as text (also what tests check). */
    render(nowMs = Date.now()): string[] {
        const out = [...this.header.split("\n"), ""]
        const devices = [...this.rows.keys()].sort()
        if (devices.length === 0) out.push("  waiting for the first message ...")
        for (const d of devices) {
            const r = this.rows.get(d)!
            const age = r.atMs ? `${((nowMs - r.atMs) / 1000).toFixed(0)} s ago` : "-"
            out.push(`  ${d.padEnd(12)} ${r.online.padEnd(8)} #${String(r.seq).padEnd(6)} ${age}`)
            for (const [k, v] of Object.entries(r.values)) {
                const st = r.status[k]
                out.push(
                    `      ${k.padEnd(12)} ${v.toFixed(2).padStart(10)} ${(quantity(k)?.unit ?? "").padEnd(4)} ${st ? `${st.status} (${st.error})` : "ok"}`,
                )
            }
            for (const [k, st] of Object.entries(r.status))
                if (!(k in r.values))
                    out.push(`      ${k.padEnd(12)} ${"-".padStart(10)}      ${st.status} (${st.error})`)
        }
        if (this.recentLog.length) out.push("", ...this.recentLog.map(l => "  " + clip(l, LOG_CHARS)))
        return out
    }

    private draw() {
        const lines = this.render()
        // Move up over the previous frame and overwrite it.
        if (this.lines) this.out.write(`\x1b[${this.lines}A`)
        for (const l of lines) this.out.write(`\x1b[2K${l}\n`)
        this.lines = lines.length
    }
}
