/**
 * What the loss ledger (ledger.ts) reads: the telemetry and diagnostics messages an observer received,
 * as readings and reports per device and boot, and a run's own devices apart from the others on the
 * broker. Pure.
 */
import { beganBeforeListening, type SeenDiagnostics, type SeenReading } from "./ledger.ts"
import { deviceTopic } from "./topic-table.ts"

/** The telemetry and diagnostics messages of `<prefix>/<device>/...` as ledger inputs; anything else is skipped. */
export function ledgerInputs(
    messages: readonly { topic: string; payload: Buffer; atMs: number }[],
    prefix = "devs",
): LedgerInputs {
    const readings: SeenReading[] = []
    const diagnostics: SeenDiagnostics[] = []
    for (const m of messages) {
        const t = deviceTopic(m.topic, prefix)
        if (t?.kind !== "telemetry" && t?.kind !== "diagnostics") continue
        let p: any
        try {
            p = JSON.parse(m.payload.toString())
        } catch {
            continue
        }
        if (!p || typeof p !== "object") continue
        const boot = typeof p.boot === "string" ? p.boot : ""
        if (t.kind === "telemetry" && typeof p.seq === "number")
            readings.push({
                device: t.device,
                boot,
                seq: p.seq,
                ...(typeof p.ts === "number" ? { ts: p.ts } : {}),
                atMs: m.atMs,
                ...(typeof p.uptime_ms === "number" ? { uptimeMs: p.uptime_ms } : {}),
            })
        if (t.kind === "diagnostics" && p.mqtt)
            diagnostics.push({
                device: t.device,
                boot,
                uptimeMs: Number(p.uptime_ms) || 0,
                readingsDropped: p.mqtt.readings_dropped ?? {},
                ...(typeof p.mqtt.readings_acked === "number" ? { readingsAcked: p.mqtt.readings_acked } : {}),
                atMs: m.atMs,
            })
    }
    return { readings, diagnostics }
}

/** What ledgerInputs gives: the readings and diagnostics of every device the observer saw. */
export interface LedgerInputs {
    readings: SeenReading[]
    diagnostics: SeenDiagnostics[]
}

/**
 * A run's own devices apart from the others on the broker (issue 28: a second `npm start` on one broker
 * judged the first one's devices, and called what they sent before it listened NOT EXPLAINED). A run
 * starts its devices after its observer listens (`startMs`), so a device of another name is not its
 * own, and neither is a boot under one of its names that began before then (beganBeforeListening:
 * another client with the same name). `ours` is judged; `others` are only listed (ledger-report.ts
 * formatOthers).
 */
export function splitByRun(
    inputs: LedgerInputs,
    names: readonly string[],
    startMs: number,
): { ours: LedgerInputs; others: LedgerInputs } {
    const mine = new Set(names)
    const bootKey = (r: { device: string; boot: string }) => r.device + "\u0000" + r.boot
    const byBoot = new Map<string, { atMs?: number; uptimeMs?: number }[]>()
    for (const r of [...inputs.readings, ...inputs.diagnostics]) {
        const k = bootKey(r)
        if (!byBoot.has(k)) byBoot.set(k, [])
        byBoot.get(k)!.push(r)
    }
    const own = (r: { device: string; boot: string }) =>
        mine.has(r.device) && !beganBeforeListening(byBoot.get(bootKey(r))!, false, startMs)
    return {
        ours: { readings: inputs.readings.filter(own), diagnostics: inputs.diagnostics.filter(own) },
        others: {
            readings: inputs.readings.filter(r => !own(r)),
            diagnostics: inputs.diagnostics.filter(d => !own(d)),
        },
    }
}
