/**
 * The loss ledger of one device's telemetry as a subscriber saw it: which `seq` arrived, which
 * arrived twice (QoS 1 is at least once), and which never arrived, as ranges. Pure: the e2e tests
 * and the simulator's summary read the same numbers.
 */

export interface SeqRange {
    from: number
    to: number
}

export interface Ledger {
    received: number
    duplicates: number
    firstSeq: number
    lastSeq: number
    /** Seqs in [firstSeq, lastSeq] that never arrived. */
    missing: number
    gaps: SeqRange[]
}

export function ledgerOf(seqs: readonly number[]): Ledger {
    const seen = new Set<number>()
    let duplicates = 0
    for (const s of seqs) {
        if (seen.has(s)) duplicates++
        seen.add(s)
    }
    const sorted = [...seen].sort((a, b) => a - b)
    const gaps: SeqRange[] = []
    let missing = 0
    for (let i = 1; i < sorted.length; i++) {
        if (sorted[i] === sorted[i - 1] + 1) continue
        gaps.push({ from: sorted[i - 1] + 1, to: sorted[i] - 1 })
        missing += sorted[i] - sorted[i - 1] - 1
    }
    return {
        received: seqs.length,
        duplicates,
        firstSeq: sorted.length ? sorted[0] : 0,
        lastSeq: sorted.length ? sorted[sorted.length - 1] : 0,
        missing,
        gaps,
    }
}

/** One telemetry message as a subscriber saw it. */
export interface SeenReading {
    device: string
    /** "" for a firmware older than issue 14 (no boot id). */
    boot: string
    seq: number
    /** Unix ms when the device read it; absent before its first time sync. */
    ts?: number
    /** Host clock at receipt. */
    atMs: number
}

/** What a device's diagnostics said about one boot (its latest report, by uptime). */
export interface SeenDiagnostics {
    device: string
    boot: string
    uptimeMs: number
    /** mqtt.readings_dropped: telemetry the device dropped, by cause. */
    readingsDropped: Record<string, number>
}

export interface BootLedger extends Ledger {
    boot: string
    /** Readings the device counted as dropped in this boot (its latest diagnostics), by cause. */
    dropped: Record<string, number>
    /** The device's own count did not arrive (no diagnostics of this boot). */
    noDiagnostics: boolean
    /** Missing readings the drop counters do not explain. */
    unexplained: number
    /** Seqs 1..firstSeq-1: before the subscriber listened (first boot seen) or lost with the boot. */
    before: number
}

export interface DeviceLedger {
    device: string
    /** In the order they were first seen. */
    boots: BootLedger[]
    received: number
    duplicates: number
    missing: number
    /** Boots after the first one seen. */
    reboots: number
    unexplained: number
    /** Readings that carried `ts`, and receipt time minus `ts` over them (ms): delivery delay plus clock error. */
    withTs: number
    lagMinMs: number
    lagMaxMs: number
}

function sumOf(r: Record<string, number>): number {
    let n = 0
    for (const k of Object.keys(r)) n += r[k]
    return n
}

/**
 * The loss ledger by (device, boot): gaps inside a boot must be covered by the readings the device
 * counted as dropped in that same boot (its counters restart with the boot, which is why diagnostics
 * carry `boot`). Readings a boot took but never sent before a reboot or a power cut end the boot's
 * stream without a gap: the reboot explains them (the RAM queue is gone). Seqs before the first one
 * received in a later boot are missing too (they were queued and are gone only if counted as dropped).
 */
export function deviceLedgers(
    readings: readonly SeenReading[],
    diagnostics: readonly SeenDiagnostics[],
): DeviceLedger[] {
    const devices: string[] = []
    const boots: Record<string, string[]> = {}
    const seqs: Record<string, number[]> = {}
    for (const r of readings) {
        if (!boots[r.device]) {
            boots[r.device] = []
            devices.push(r.device)
        }
        const key = r.device + "\u0000" + r.boot
        if (!seqs[key]) {
            seqs[key] = []
            boots[r.device].push(r.boot)
        }
        seqs[key].push(r.seq)
    }
    const latest: Record<string, SeenDiagnostics> = {}
    for (const d of diagnostics) {
        const key = d.device + "\u0000" + d.boot
        if (!latest[key] || latest[key].uptimeMs <= d.uptimeMs) latest[key] = d
    }
    const lags: Record<string, number[]> = {}
    for (const r of readings) if (typeof r.ts === "number") (lags[r.device] ??= []).push(r.atMs - r.ts)
    return devices.map(device => {
        const bl = boots[device].map((boot, i): BootLedger => {
            const key = device + "\u0000" + boot
            const l = ledgerOf(seqs[key])
            const diag = latest[key]
            const dropped = diag ? diag.readingsDropped : {}
            // The first boot seen may have started before the subscriber: its early seqs are not a loss.
            const before = i === 0 ? 0 : l.firstSeq - 1
            const missing = l.missing + before
            return {
                ...l,
                missing,
                boot,
                dropped,
                noDiagnostics: !diag,
                unexplained: Math.max(0, missing - sumOf(dropped)),
                before,
            }
        })
        return {
            device,
            boots: bl,
            received: bl.reduce((n, b) => n + b.received, 0),
            duplicates: bl.reduce((n, b) => n + b.duplicates, 0),
            missing: bl.reduce((n, b) => n + b.missing, 0),
            reboots: bl.length - 1,
            unexplained: bl.reduce((n, b) => n + b.unexplained, 0),
            withTs: lags[device]?.length ?? 0,
            lagMinMs: lags[device] ? Math.min(...lags[device]) : NaN,
            lagMaxMs: lags[device] ? Math.max(...lags[device]) : NaN,
        }
    })
}

/** The telemetry and diagnostics messages of `<prefix>/<device>/...` as ledger inputs; anything else is skipped. */
export function ledgerInputs(
    messages: readonly { topic: string; payload: Buffer; atMs: number }[],
    prefix = "devs",
): { readings: SeenReading[]; diagnostics: SeenDiagnostics[] } {
    const readings: SeenReading[] = []
    const diagnostics: SeenDiagnostics[] = []
    for (const m of messages) {
        const parts = m.topic.split("/")
        if (parts.length !== 3 || parts[0] !== prefix) continue
        let p: any
        try {
            p = JSON.parse(m.payload.toString())
        } catch {
            continue
        }
        if (!p || typeof p !== "object") continue
        const boot = typeof p.boot === "string" ? p.boot : ""
        if (parts[2] === "telemetry" && typeof p.seq === "number")
            readings.push({
                device: parts[1],
                boot,
                seq: p.seq,
                ...(typeof p.ts === "number" ? { ts: p.ts } : {}),
                atMs: m.atMs,
            })
        if (parts[2] === "diagnostics" && p.mqtt)
            diagnostics.push({
                device: parts[1],
                boot,
                uptimeMs: Number(p.uptime_ms) || 0,
                readingsDropped: p.mqtt.readings_dropped ?? {},
            })
    }
    return { readings, diagnostics }
}

function causes(r: Record<string, number>): string {
    const k = Object.keys(r).filter(c => r[c] > 0)
    return k.length ? k.map(c => `${c} ${r[c]}`).join(", ") : "none"
}

/** The report `npm run verify` and the simulator's closing summary print, one block per device. */
export function formatLedgers(ls: readonly DeviceLedger[]): string {
    if (!ls.length) return "no telemetry received"
    const out: string[] = []
    for (const d of ls) {
        out.push(
            `${d.device}: ${d.received} readings, ${d.duplicates} duplicates, ${d.missing} missing, ${d.reboots} reboot${d.reboots === 1 ? "" : "s"} seen` +
                (d.unexplained ? `, ${d.unexplained} NOT EXPLAINED` : ", every gap explained"),
        )
        out.push(
            d.withTs
                ? `  ts on ${d.withTs} of ${d.received}; receipt - ts: ${d.lagMinMs}..${d.lagMaxMs} ms (delivery delay + clock error)`
                : `  ts on none of ${d.received} (no time responder answered: npm run time-server)`,
        )
        for (const b of d.boots) {
            const gaps = b.gaps.map(g => (g.from === g.to ? `${g.from}` : `${g.from}-${g.to}`))
            if (b.before) gaps.unshift(b.before === 1 ? "1" : `1-${b.before}`)
            out.push(
                `  boot ${b.boot || "(none)"}: seq ${b.firstSeq}..${b.lastSeq}, ${b.received} received, ${b.duplicates} duplicates, ` +
                    `gaps ${gaps.length ? gaps.join(" ") : "none"}; device dropped: ${b.noDiagnostics ? "unknown (no diagnostics)" : causes(b.dropped)}` +
                    (b.unexplained ? `; ${b.unexplained} not explained` : ""),
            )
        }
    }
    return out.join("\n")
}
