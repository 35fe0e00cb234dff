/**
 * The loss ledger in words (host-sim/ledger/ledger.ts computes it): the report `npm run verify` and the
 * simulator's closing summary print, the phrases `verify` fails with, and the silent finding the
 * dashboard shows too. One wording for every report (docs/ledger.md).
 */
import type { DeviceLedger, Observation, Silence } from "./ledger.ts"
import { silenceBoundMs } from "./ledger.ts"

function causes(r: Record<string, number>): string {
    const k = Object.keys(r).filter(c => r[c] > 0)
    return k.length ? k.map(c => `${c} ${r[c]}`).join(", ") : "none"
}

/** Host clock as the reports print it: UTC, to the ms. */
export function clockText(ms: number): string {
    return new Date(ms).toISOString()
}

/** The silent finding, worded once for every report (verify, the simulator's summary, the dashboard). */
export function formatSilence(s: Silence): string {
    return `SILENT since ${clockText(s.sinceMs)} (≈ ${s.expected} reading${s.expected === 1 ? "" : "s"} expected at its period of ${s.periodMs} ms)`
}

/** The observer's own holes: when it lost the broker, and for how long. */
export function formatObservation(o: Observation): string {
    const span = `observer: listened ${clockText(o.startMs)} to ${clockText(o.endMs)}`
    if (!o.holes.length) return `${span}, never lost the broker`
    const holes = o.holes.map(h =>
        h.toMs === undefined
            ? `${clockText(h.fromMs)} to the end (${((o.endMs - h.fromMs) / 1000).toFixed(1)} s, still away)`
            : `${clockText(h.fromMs)} to ${clockText(h.toMs)} (${((h.toMs - h.fromMs) / 1000).toFixed(1)} s)`,
    )
    const n = o.holes.length
    return (
        `${span}, lost the broker ${n} time${n === 1 ? "" : "s"} (readings sent meanwhile are not the devices' loss):\n` +
        holes.map(h => `  away ${h}`).join("\n")
    )
}

/** Why `npm run verify` fails, one phrase per finding; empty when every device is accounted for. */
export function ledgerProblems(ls: readonly DeviceLedger[]): string[] {
    const out: string[] = []
    if (!ls.length) return ["no telemetry received"]
    const unexplained = ls.reduce((n, d) => n + d.unexplained, 0)
    if (unexplained)
        out.push(
            `${unexplained} missing reading${unexplained === 1 ? " is" : "s are"} not explained by a counted drop or a reboot`,
        )
    for (const d of ls)
        if (d.lostAfterAck)
            out.push(
                `${d.device}: ${d.lostAfterAck} reading${d.lostAfterAck === 1 ? " was" : "s were"} acknowledged by the broker and never delivered`,
            )
    for (const d of ls) if (d.silence) out.push(`${d.device} went silent while the observer listened`)
    return out
}

/**
 * The report `npm run verify` and the simulator's closing summary print, one block per device;
 * with the observation, also the observer's own holes and each device's silence.
 */
export function formatLedgers(ls: readonly DeviceLedger[], observation?: Observation): string {
    const out: string[] = observation ? [formatObservation(observation)] : []
    if (!ls.length) return [...out, "no telemetry received"].join("\n")
    for (const d of ls) {
        const away = d.unobserved ? ` (${d.unobserved} missing while the observer was away)` : ""
        const verdict = d.unexplained
            ? `, ${d.unexplained} NOT EXPLAINED`
            : d.lostAfterAck
              ? `, ${d.lostAfterAck} LOST AFTER THE BROKER ACKNOWLEDGED THEM`
              : d.silence
                ? away
                : `, every gap explained${away}`
        out.push(
            `${d.device}: ${d.received} readings, ${d.duplicates} duplicates, ${d.missing} missing, ${d.reboots} reboot${d.reboots === 1 ? "" : "s"} seen` +
                verdict +
                (d.silence ? `, ${formatSilence(d.silence)}` : ""),
        )
        out.push(
            d.withTs
                ? `  ts on ${d.withTs} of ${d.received}; receipt - ts: ${d.lagMinMs}..${d.lagMaxMs} ms (delivery delay + clock error)`
                : `  ts on none of ${d.received} (no time responder answered: npm run time-server)`,
        )
        if (observation)
            out.push(
                isNaN(d.periodMs)
                    ? `  last reading received ${clockText(d.lastAtMs)}; period unknown (no two consecutive seqs): silence not judged`
                    : `  last reading received ${clockText(d.lastAtMs)}; period ${d.periodMs} ms (silent after ${Math.round(silenceBoundMs(d.periodMs) / 1000)} s without one)`,
            )
        for (const b of d.boots) {
            const gaps = b.gaps.map(g => (g.from === g.to ? `${g.from}` : `${g.from}-${g.to}`))
            if (b.before) gaps.unshift(b.before === 1 ? "1" : `1-${b.before}`)
            const history = b.beforeListening
                ? ` (${b.beforeListening === 1 ? "1" : `1-${b.beforeListening}`} before the observer listened)`
                : ""
            out.push(
                `  boot ${b.boot || "(none)"}: seq ${b.firstSeq}..${b.lastSeq}${history}, ${b.received} received, ${b.duplicates} duplicates, ` +
                    `gaps ${gaps.length ? gaps.join(" ") : "none"}; device dropped: ${b.noDiagnostics ? "unknown (no diagnostics)" : causes(b.dropped)}` +
                    (b.unobserved ? `; ${b.unobserved} while the observer was away` : "") +
                    (b.lostAfterAck ? `; ${b.lostAfterAck} acknowledged by the broker and never delivered` : "") +
                    (b.unexplained ? `; ${b.unexplained} not explained` : ""),
            )
        }
    }
    return out.join("\n")
}

/**
 * The devices and boots the observer saw that this run did not start (ledger-inputs.ts splitByRun): listed,
 * not judged. Their own run, or `npm run verify`, judges them; `ours` are the run's device names.
 */
export function formatOthers(ls: readonly DeviceLedger[], ours: readonly string[]): string {
    if (!ls.length) return ""
    const out = [
        "also seen on the broker, not started by this run (not judged here; npm run verify judges every device):",
    ]
    for (const d of ls) {
        const boots = d.boots.map(b => `boot ${b.boot || "(none)"} seq ${b.firstSeq}..${b.lastSeq}`).join(", ")
        const twin = ours.includes(d.device) ? " (began before this run listened: another client with this name)" : ""
        out.push(`  ${d.device}: ${d.received} reading${d.received === 1 ? "" : "s"}, ${boots}${twin}`)
    }
    return out.join("\n")
}
