/**
 * One readable line per message the broker received.
 */
import { quantity } from "../../firmware/telemetry/quantities.ts"
import type { Observed } from "../ledger/observer.ts"
import { deviceTopic } from "../ledger/topic-table.ts"

/** Telemetry fields that are not quantities: the reading's identity and time. */
export const NOT_QUANTITIES = ["boot", "seq", "ts", "uptime_ms"]

/** Characters of a payload a line shows; a longer one ends in an ellipsis and says how long it was. */
export const PAYLOAD_CHARS = 80

/** `text` cut to `max` characters with "…" and its full length when cut, so a cut line never reads as complete. */
export function clip(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max - 1)}… (${text.length} chars)`
}

function clock(ms: number): string {
    return new Date(ms).toISOString().slice(11, 19)
}

/** A message on a topic of the firmware's list (topic-table.ts) as a line; any other topic is named in full. */
export function formatMessage(m: Observed, prefix = "devs"): string {
    const t = deviceTopic(m.topic, prefix)
    const text = m.payload.toString("utf8")
    if (!t)
        return `${clock(m.atMs)}  unknown topic ${m.topic}: ${clip(text, PAYLOAD_CHARS)}${m.retain ? " (retained)" : ""}`
    const device = t.device
    const kind = m.topic.slice(prefix.length + device.length + 2)
    if (t.kind === "telemetry") {
        try {
            const p = JSON.parse(text) as Record<string, unknown>
            const values = Object.entries(p)
                .filter(([k, v]) => typeof v === "number" && !NOT_QUANTITIES.includes(k))
                .map(([k, v]) => [k, (v as number).toFixed(2), quantity(k)?.unit].filter(Boolean).join(" "))
            const status = p.status
                ? `  [${Object.entries(p.status as object)
                      .map(([k, s]) => `${k}: ${(s as { status: string }).status}`)
                      .join(", ")}]`
                : ""
            const when = typeof p.ts === "number" ? `, read ${clock(p.ts)}` : ""
            return `${clock(m.atMs)}  ${device}  #${p.seq}  ${values.join("  ")}${status}  (boot ${p.boot ?? "?"}${when})`
        } catch {
            return `${clock(m.atMs)}  ${device}  telemetry (not JSON): ${clip(text, PAYLOAD_CHARS)}`
        }
    }
    return `${clock(m.atMs)}  ${device}  ${kind}: ${clip(text, PAYLOAD_CHARS)}${m.retain ? " (retained)" : ""}`
}
