/**
 * The loss ledger of one device's telemetry as a subscriber saw it: which `seq` arrived, which
 * arrived twice (QoS 1 is at least once), which never arrived, as ranges, and whether the device
 * went silent before the observation ended (issue 23: readings after the last one received are
 * no gap, and silence is a finding). Pure: the e2e tests, `npm run verify`, the simulator's
 * summary and the dashboard read the same numbers, and ledger-report.ts words them once (docs/ledger.md).
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
    /** The device's uptime when it read it (`uptime_ms`): the period is measured on the device's clock. */
    uptimeMs?: number
}

/** A stretch of host time in which the observer itself was not connected to the broker. */
export interface Hole {
    fromMs: number
    /** Host clock when it was subscribed again; absent: still away when the observation ended. */
    toMs?: number
}

/** What the observer could see: when it started and ended (host clock) and its own holes. */
export interface Observation {
    startMs: number
    endMs: number
    holes: readonly Hole[]
}

/**
 * How long a device may go without a reading before the ledger calls it silent: three periods
 * (Home Assistant's `expire_after`, firmware/telemetry/discovery.ts, marks the entity unavailable
 * then too), and never less than one period plus 30 s, the device's own reconnect backoff cap
 * (BACKOFF_TRANSIENT, firmware/mqtt/backoff.ts), so that one ordinary reconnect at the end of a run
 * is not called silence. docs/ledger.md.
 */
export const SILENCE = { periods: 3, slackMs: 30_000 }

export function silenceBoundMs(periodMs: number): number {
    return Math.max(SILENCE.periods * periodMs, periodMs + SILENCE.slackMs)
}

/** A device whose readings stopped while the observer was still listening. */
export interface Silence {
    /** Host clock at receipt of its last reading. */
    sinceMs: number
    periodMs: number
    /** Readings it would have sent in the observed time since then (the observer's own holes left out). */
    expected: number
}

/** What a device's diagnostics said about one boot (its latest report, by uptime). */
export interface SeenDiagnostics {
    device: string
    boot: string
    uptimeMs: number
    /** mqtt.readings_dropped: telemetry the device dropped, by cause. */
    readingsDropped: Record<string, number>
    /** mqtt.readings_acked: readings the broker acknowledged (absent before issue 23's firmware). */
    readingsAcked?: number
    /** Host clock at receipt of that report. */
    atMs?: number
}

export interface BootLedger extends Ledger {
    boot: string
    /** Readings the device counted as dropped in this boot (its latest diagnostics), by cause. */
    dropped: Record<string, number>
    /** The device's own count did not arrive (no diagnostics of this boot). */
    noDiagnostics: boolean
    /** Missing readings the drop counters do not explain. */
    unexplained: number
    /** Seqs 1..firstSeq-1 of a boot that began while the observer listened: lost with the boot, counted missing. */
    before: number
    /**
     * Seqs 1..firstSeq-1 of a boot that began before the observer listened (beganBeforeListening): its
     * history, which the observer could not see, so neither missing nor a gap (issue 28).
     */
    beforeListening: number
    /** The boot began before the observer listened (beganBeforeListening): always so for the first boot seen. */
    beganBeforeListening: boolean
    /** Missing readings whose gap spans a hole in the observer's own observation: not the device's loss. */
    unobserved: number
    /**
     * Readings the broker acknowledged (the boot's latest report) beyond those received by then:
     * lost after the PUBACK (a broker node lost, an ACL that acknowledges and discards), not by the device.
     */
    lostAfterAck: number
}

export interface DeviceLedger {
    device: string
    /** In the order they were first seen. */
    boots: BootLedger[]
    received: number
    duplicates: number
    missing: number
    /** Boots that began while the observer listened, after the first one seen. */
    reboots: number
    unexplained: number
    /** Readings that carried `ts`, and receipt time minus `ts` over them (ms): delivery delay plus clock error. */
    withTs: number
    lagMinMs: number
    lagMaxMs: number
    /** Missing readings lost in the observer's own holes (not counted as unexplained). */
    unobserved: number
    /** Readings the broker acknowledged and never delivered (BootLedger.lostAfterAck), over the boots. */
    lostAfterAck: number
    /** The device's period as measured from its readings (ms); NaN: fewer than two consecutive seqs. */
    periodMs: number
    /** Host clock at receipt of its latest reading. */
    lastAtMs: number
    /** Set when the readings stopped while the observer listened (needs the observation's end). */
    silence?: Silence
}

function sumOf(r: Record<string, number>): number {
    let n = 0
    for (const k of Object.keys(r)) n += r[k]
    return n
}

/** ms of [fromMs, toMs] that fall inside the holes (a hole still open runs to `toMs`). */
export function holeOverlapMs(holes: readonly Hole[], fromMs: number, toMs: number): number {
    let n = 0
    for (const h of holes) {
        const a = Math.max(fromMs, h.fromMs)
        const b = Math.min(toMs, h.toMs ?? toMs)
        if (b > a) n += b - a
    }
    return n
}

function median(xs: number[]): number {
    if (!xs.length) return NaN
    const s = [...xs].sort((a, b) => a - b)
    const m = s.length >> 1
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Consecutive seqs whose spacing sets the period: the latest few, so a period changed by downlink counts. */
const PERIOD_SAMPLES = 5

/**
 * A boot's period from its readings (ms): the median device-clock spacing (`uptime_ms`) of its
 * latest consecutive seqs, so readings queued in an outage and delivered in a burst do not shrink
 * it; receipt spacing when the readings carry no uptime. NaN with fewer than two consecutive seqs.
 */
export function periodOf(readings: readonly SeenReading[]): number {
    const bySeq = new Map<number, SeenReading>()
    for (const r of readings) if (!bySeq.has(r.seq)) bySeq.set(r.seq, r)
    const seqs = [...bySeq.keys()].sort((a, b) => a - b)
    const device: number[] = []
    const receipt: number[] = []
    for (let i = seqs.length - 1; i > 0 && device.length + receipt.length < PERIOD_SAMPLES; i--) {
        if (seqs[i] !== seqs[i - 1] + 1) continue
        const a = bySeq.get(seqs[i - 1])!
        const b = bySeq.get(seqs[i])!
        if (typeof a.uptimeMs === "number" && typeof b.uptimeMs === "number" && b.uptimeMs > a.uptimeMs)
            device.push(b.uptimeMs - a.uptimeMs)
        else if (b.atMs > a.atMs) receipt.push(b.atMs - a.atMs)
    }
    return Math.round(median(device.length ? device : receipt))
}

/**
 * Silence: the device's latest reading arrived at `lastAtMs` and the observer listened on until
 * `o.endMs`. Counting only the time the observer was connected, a device that sent nothing for
 * longer than silenceBoundMs(period) is silent; undefined when it is not, or when its period is
 * unknown (one reading, or no two consecutive seqs: nothing to count against).
 */
export function silenceOf(lastAtMs: number, periodMs: number, o: Observation): Silence | undefined {
    if (!(periodMs > 0)) return undefined
    const observedMs = o.endMs - lastAtMs - holeOverlapMs(o.holes, lastAtMs, o.endMs)
    if (observedMs <= silenceBoundMs(periodMs)) return undefined
    return { sinceMs: lastAtMs, periodMs, expected: Math.floor(observedMs / periodMs) }
}

/**
 * Whether a boot began before the observer listened (`startMs`), so that its seqs before the first one
 * received are its history, not a loss (issue 28: a second `npm start` on one broker called another
 * device's earlier readings NOT EXPLAINED). The first boot seen of a device may always have (nothing
 * says when it began); a later one did when a reading says so: it was read `uptimeMs` after the boot
 * and arrived at `atMs`, so the boot began at the latest at `atMs - uptimeMs` (host clock). Another
 * device under the same name, or a boot still delivering its queue, is such a boot.
 */
export function beganBeforeListening(
    rs: readonly { atMs?: number; uptimeMs?: number }[],
    firstSeen: boolean,
    startMs?: number,
): boolean {
    if (firstSeen) return true
    if (!startMs) return false
    return rs.some(r => typeof r.uptimeMs === "number" && typeof r.atMs === "number" && r.atMs - r.uptimeMs < startMs)
}

/** First receipt time of each seq of one boot. */
function firstReceipts(rs: readonly SeenReading[]): Map<number, number> {
    const at = new Map<number, number>()
    for (const r of rs) if (!at.has(r.seq) || at.get(r.seq)! > r.atMs) at.set(r.seq, r.atMs)
    return at
}

/** Readings lost between two receipts: the observer's own loss when one of its holes lies between them. */
function inHole(holes: readonly Hole[], afterMs: number | undefined, beforeMs: number | undefined): boolean {
    if (afterMs === undefined || beforeMs === undefined) return false
    return holes.some(h => h.fromMs <= beforeMs && (h.toMs ?? Infinity) >= afterMs)
}

/**
 * The loss ledger by (device, boot): gaps inside a boot must be covered by the readings the device
 * counted as dropped in that same boot (its counters restart with the boot, which is why diagnostics
 * carry `boot`). Readings a boot took but never sent before a reboot or a power cut end the boot's
 * stream without a gap: the reboot explains them (the RAM queue is gone). Seqs before the first one
 * received in a later boot are missing too (they were queued and are gone only if counted as dropped).
 *
 * With `observation`: a gap whose neighbouring receipts bracket a hole in the observer's own
 * observation is counted as `unobserved`, not as the device's loss; and a device whose latest
 * reading is older than silenceBoundMs(its period) at the observation's end is `silence`.
 */
export function deviceLedgers(
    readings: readonly SeenReading[],
    diagnostics: readonly SeenDiagnostics[],
    observation?: Observation,
): DeviceLedger[] {
    const holes = observation?.holes ?? []
    const devices: string[] = []
    const boots: Record<string, string[]> = {}
    const byBoot: Record<string, SeenReading[]> = {}
    /** Each device's reading received last. */
    const latestOf: Record<string, SeenReading> = {}
    for (const r of readings) {
        if (!latestOf[r.device] || latestOf[r.device].atMs <= r.atMs) latestOf[r.device] = r
        if (!boots[r.device]) {
            boots[r.device] = []
            devices.push(r.device)
        }
        const key = r.device + "\u0000" + r.boot
        if (!byBoot[key]) {
            byBoot[key] = []
            boots[r.device].push(r.boot)
        }
        byBoot[key].push(r)
    }
    const latest: Record<string, SeenDiagnostics> = {}
    for (const d of diagnostics) {
        const key = d.device + "\u0000" + d.boot
        if (!latest[key] || latest[key].uptimeMs <= d.uptimeMs) latest[key] = d
    }
    const lags: Record<string, number[]> = {}
    for (const r of readings) if (typeof r.ts === "number") (lags[r.device] ??= []).push(r.atMs - r.ts)
    return devices.map(device => {
        let prevBootLastAt: number | undefined
        const bl = boots[device].map((boot, i): BootLedger => {
            const key = device + "\u0000" + boot
            const rs = byBoot[key]
            const l = ledgerOf(rs.map(r => r.seq))
            const at = firstReceipts(rs)
            const diag = latest[key]
            const dropped = diag ? diag.readingsDropped : {}
            // A boot that began before the observer listened: its early seqs are its history, not a loss.
            const earlier = beganBeforeListening(rs, i === 0, observation?.startMs)
            const beforeListening = earlier ? l.firstSeq - 1 : 0
            const before = earlier ? 0 : l.firstSeq - 1
            const missing = l.missing + before
            let unobserved = 0
            if (before && inHole(holes, prevBootLastAt, at.get(l.firstSeq))) unobserved += before
            for (const g of l.gaps)
                if (inHole(holes, at.get(g.from - 1), at.get(g.to + 1))) unobserved += g.to - g.from + 1
            prevBootLastAt = rs.reduce((t, r) => Math.max(t, r.atMs), -Infinity)
            const lostAfterAck = diag ? ackedNotDelivered(diag, at, unobserved + beforeListening) : 0
            return {
                ...l,
                missing,
                boot,
                dropped,
                noDiagnostics: !diag,
                unexplained: Math.max(0, missing - sumOf(dropped) - unobserved - lostAfterAck),
                before,
                beforeListening,
                beganBeforeListening: earlier,
                unobserved,
                lostAfterAck,
            }
        })
        const last = latestOf[device]
        // The period of the boot that sent the latest reading; an earlier boot's if that one has no two consecutive seqs.
        let periodMs = periodOf(byBoot[device + "\u0000" + last.boot])
        for (let i = boots[device].length - 1; isNaN(periodMs) && i >= 0; i--)
            periodMs = periodOf(byBoot[device + "\u0000" + boots[device][i]])
        const silence = observation ? silenceOf(last.atMs, periodMs, observation) : undefined
        return {
            device,
            boots: bl,
            received: bl.reduce((n, b) => n + b.received, 0),
            duplicates: bl.reduce((n, b) => n + b.duplicates, 0),
            missing: bl.reduce((n, b) => n + b.missing, 0),
            reboots: bl.filter(b => !b.beganBeforeListening).length,
            unexplained: bl.reduce((n, b) => n + b.unexplained, 0),
            withTs: lags[device]?.length ?? 0,
            lagMinMs: lags[device] ? Math.min(...lags[device]) : NaN,
            lagMaxMs: lags[device] ? Math.max(...lags[device]) : NaN,
            unobserved: bl.reduce((n, b) => n + b.unobserved, 0),
            lostAfterAck: bl.reduce((n, b) => n + b.lostAfterAck, 0),
            periodMs,
            lastAtMs: last.atMs,
            ...(silence ? { silence } : {}),
        }
    })
}

/**
 * Readings the broker acknowledged by the time of the report `d` that the observer had not received
 * by the time that report reached it (the broker forwards a device's messages in order, so a reading
 * acknowledged before the report arrives before it), less `unseen`: those lost in the observer's own
 * holes and those the boot sent before the observer listened (the count covers the whole boot).
 */
function ackedNotDelivered(d: SeenDiagnostics, firstAt: Map<number, number>, unseen: number): number {
    if (typeof d.readingsAcked !== "number" || typeof d.atMs !== "number") return 0
    let received = 0
    for (const t of firstAt.values()) if (t <= d.atMs) received++
    return Math.max(0, d.readingsAcked - received - unseen)
}
