/**
 * Everything the dashboard knows about one device, from what the broker
 * delivered: its status (online, offline = Will or planned stop), its last
 * reading, its sensors, its diagnostics, its discovery configs and its loss
 * ledger per boot (gaps per (boot, seq), via ../ledger.ts) with its silence
 * (issue 23: the same finding and wording as `npm run verify`). Pure: no I/O,
 * no timers; the caller passes arrival times and the observation so far.
 */
import { ledgerOf, silenceOf, type Ledger, type Observation } from "../ledger/ledger.ts"
import { formatSilence } from "../ledger/ledger-report.ts"
import { BootTracker } from "./boot-tracker.ts"

export interface SensorState {
    status: string
    error: string
    age_ms: number
}

export interface DiscoveryEntry {
    key: string
    component: string
    name: string
    unit: string
    deviceClass: string
    expireAfterS: number | null
    /** An empty retained config: the entity was removed. */
    removed: boolean
}

/** The loss ledger of a device, summed over the boots seen. */
export interface LedgerView {
    received: number
    duplicates: number
    /** Ranges of seqs that never arrived, within a boot. */
    gaps: number
    missing: number
    /** The device's own count of dropped readings by cause (readings_dropped of each boot's latest diagnostics). */
    dropped: Record<string, number>
    droppedTotal: number
    /** Missing readings that no counted drop explains (yet: a device reports drops once it has caught up). */
    unexplained: number
    reboots: number
    boots: number
    /** ledger-report.ts formatSilence when its readings stopped while the dashboard listened; "" otherwise. */
    silence: string
}

export interface DeviceView {
    name: string
    status: "unknown" | "online" | "offline"
    statusAtMs: number
    lastSeenMs: number
    /** Host clock at receipt of the latest reading (0: none yet). */
    lastReadingAtMs: number
    boot: string
    seq: number
    uptimeMs: number
    /** Unix ms of the last reading when it carries `ts`. */
    ts: number | null
    rssi: number | null
    /** The period shown: the set one when known (`periodSet`), else the measured one (which jitters: 499/501 ms). */
    periodMs: number | null
    periodSet: boolean
    values: Record<string, number>
    sensors: Record<string, SensorState>
    diagnostics: Record<string, unknown> | null
    diagnosticsAtMs: number
    discovery: DiscoveryEntry[]
    ledger: LedgerView
    badPayloads: number
}

export interface TelemetryResult {
    boot: string
    seq: number
    /** A boot other than the first one seen. */
    reboot: boolean
    duplicate: boolean
    /** Sensors whose status changed: `to` is "ok" when it recovered. */
    sensorChanges: { sensor: string; to: string; error: string }[]
}

interface BootRecord {
    seqs: number[]
    seen: Set<number>
    readingsDropped: Record<string, number>
    ledger?: Ledger
}

export class DeviceState {
    status: DeviceView["status"] = "unknown"
    statusAtMs = 0
    lastSeenMs = 0
    lastReadingAtMs = 0
    boot = ""
    seq = 0
    uptimeMs = 0
    ts: number | null = null
    rssi: number | null = null
    /** From uptime between consecutive readings of a boot: jitters with the loop (499/501 ms for 500). */
    measuredPeriodMs: number | null = null
    /** The period the device runs at by its own word (`period_ms set to N`) or its configuration (the simulator's). */
    setPeriodMs: number | null = null
    values: Record<string, number> = {}
    sensors: Record<string, SensorState> = {}
    diagnostics: Record<string, unknown> | null = null
    diagnosticsAtMs = 0
    badPayloads = 0
    readonly discovery = new Map<string, DiscoveryEntry>()
    readonly #boots = new Map<string, BootRecord>()
    readonly #tracker = new BootTracker()

    constructor(readonly name: string) {}

    seen(atMs: number, retained: boolean): void {
        if (!retained) this.lastSeenMs = Math.max(this.lastSeenMs, atMs)
    }

    telemetry(p: Record<string, unknown>, atMs: number): TelemetryResult {
        const seq = num(p.seq) ?? 0
        const uptime = num(p.uptime_ms) ?? 0
        const boot = this.#tracker.bootOf(p.boot, seq, uptime)
        let rec = this.#boots.get(boot)
        // A boot first seen in readings after another boot's readings. Not "first seen at all": the
        // diagnostics a device sends at CONNACK often arrive before its first reading and make the record.
        const reboot = !rec?.seqs.length && [...this.#boots.values()].some(b => b.seqs.length > 0)
        if (!rec) this.#boots.set(boot, (rec = { seqs: [], seen: new Set(), readingsDropped: {} }))
        const duplicate = rec.seen.has(seq)
        rec.seqs.push(seq)
        rec.seen.add(seq)
        rec.ledger = undefined
        this.lastReadingAtMs = Math.max(this.lastReadingAtMs, atMs)
        const changes: TelemetryResult["sensorChanges"] = []
        if (duplicate) return { boot, seq, reboot, duplicate, sensorChanges: changes }
        const newest = boot !== this.boot || seq > this.seq
        if (!newest) return { boot, seq, reboot, duplicate, sensorChanges: changes }
        if (boot === this.boot && seq > this.seq && uptime > this.uptimeMs)
            this.measuredPeriodMs = Math.round((uptime - this.uptimeMs) / (seq - this.seq))
        this.boot = boot
        this.seq = seq
        this.uptimeMs = uptime
        this.ts = num(p.ts)
        this.values = {}
        for (const [k, v] of Object.entries(p)) if (isQuantity(k) && num(v) !== null) this.values[k] = v as number
        const status = (p.status && typeof p.status === "object" ? p.status : {}) as Record<
            string,
            Partial<SensorState>
        >
        const next: Record<string, SensorState> = {}
        for (const [sensor, s] of Object.entries(status))
            next[sensor] = {
                status: String(s?.status ?? "unknown"),
                error: String(s?.error ?? ""),
                age_ms: num(s?.age_ms) ?? -1,
            }
        for (const [sensor, s] of Object.entries(next))
            if (this.sensors[sensor]?.status !== s.status || this.sensors[sensor]?.error !== s.error)
                changes.push({ sensor, to: s.status, error: s.error })
        for (const sensor of Object.keys(this.sensors)) if (!next[sensor]) changes.push({ sensor, to: "ok", error: "" })
        this.sensors = next
        return { boot, seq, reboot, duplicate, sensorChanges: changes }
    }

    /** The set period when known, else the measured one. */
    get periodMs(): number | null {
        return this.setPeriodMs ?? this.measuredPeriodMs
    }

    diagnosticsMessage(d: Record<string, unknown>, atMs: number): void {
        this.diagnostics = d
        this.diagnosticsAtMs = atMs
        this.rssi = num(d.rssi)
        const boot = typeof d.boot === "string" || typeof d.boot === "number" ? String(d.boot) : this.boot
        const mqtt = (d.mqtt ?? {}) as Record<string, unknown>
        const dropped = mqtt.readings_dropped
        if (!boot || !dropped || typeof dropped !== "object") return
        let rec = this.#boots.get(boot)
        if (!rec) this.#boots.set(boot, (rec = { seqs: [], seen: new Set(), readingsDropped: {} }))
        rec.readingsDropped = {}
        for (const [cause, n] of Object.entries(dropped)) if (num(n) !== null) rec.readingsDropped[cause] = n as number
    }

    /** Its silence at the end of `o` (ledger.ts silenceOf with the period measured here), worded by formatSilence; "" if none. */
    silence(o?: Observation): string {
        if (!o || !this.lastReadingAtMs || this.periodMs === null) return ""
        const s = silenceOf(this.lastReadingAtMs, this.periodMs, o)
        return s ? formatSilence(s) : ""
    }

    ledger(o?: Observation): LedgerView {
        const v: LedgerView = {
            received: 0,
            duplicates: 0,
            gaps: 0,
            missing: 0,
            dropped: {},
            droppedTotal: 0,
            unexplained: 0,
            reboots: 0,
            boots: 0,
            silence: this.silence(o),
        }
        for (const rec of this.#boots.values()) {
            if (rec.seqs.length === 0) continue
            const l = (rec.ledger ??= ledgerOf(rec.seqs))
            v.boots++
            v.received += l.received
            v.duplicates += l.duplicates
            v.gaps += l.gaps.length
            v.missing += l.missing
            let droppedHere = 0
            for (const [cause, n] of Object.entries(rec.readingsDropped)) {
                v.dropped[cause] = (v.dropped[cause] ?? 0) + n
                droppedHere += n
            }
            v.droppedTotal += droppedHere
            v.unexplained += Math.max(0, l.missing - droppedHere)
        }
        v.reboots = Math.max(0, v.boots - 1)
        return v
    }

    /** The view: every public field as it is (the private `#` ones are no own fields to copy), plus the derived two. */
    view(o?: Observation): DeviceView {
        const { discovery, measuredPeriodMs, setPeriodMs, ...fields } = this
        return {
            ...fields,
            periodMs: setPeriodMs ?? measuredPeriodMs,
            periodSet: setPeriodMs !== null,
            discovery: [...discovery.values()],
            ledger: this.ledger(o),
        }
    }
}

const NOT_QUANTITIES = new Set(["seq", "uptime_ms", "status", "boot", "ts"])

/** A telemetry field that is a reading (README "Telemetry payload"): anything numeric but the bookkeeping fields. */
export function isQuantity(key: string): boolean {
    return !NOT_QUANTITIES.has(key)
}

function num(v: unknown): number | null {
    return typeof v === "number" && isFinite(v) ? v : null
}
