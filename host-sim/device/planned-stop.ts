/**
 * The simulator's planned stop (issue 22): at the end of `--duration`, on Ctrl-C and on SIGTERM, each
 * device that is connected is asked to stop through the firmware's own path, `cmd/stop` with the id
 * of its current boot (firmware/telemetry/commands.ts): it publishes the retained `offline`
 * status, sends DISCONNECT (so the broker publishes no Will) and closes its connection, and only then
 * is its VM ended. A device that is not connected (no DISCONNECT is possible), whose boot is not known
 * yet, or that has not stopped within PLANNED_STOP_WAIT_MS is powered off as before.
 */
import { topicsFor } from "../../firmware/telemetry/topics.ts"
import type { Observed } from "../ledger/observer.ts"

/** How long the devices get, together, to stop as planned before their VMs are ended anyway. */
export const PLANNED_STOP_WAIT_MS = 3000

/** The firmware's line once its connection is closed after a planned stop (firmware/main.ts, after the session ended). */
export const STOPPED_LINE = /power: stopped/

/**
 * The boot of `device` to name in `cmd/stop`, when it is connected now: its newest telemetry or
 * diagnostics message gives the boot, and its status topic last said `online`. Undefined otherwise.
 */
export function connectedBoot(messages: readonly Observed[], prefix: string, device: string): string | undefined {
    const t = topicsFor(prefix, device)
    let i = messages.length - 1
    while (i >= 0 && messages[i].topic !== t.status) i--
    if (i < 0 || messages[i].payload.toString() !== "online") return undefined
    for (i = messages.length - 1; i >= 0; i--) {
        const m = messages[i]
        if (m.topic !== t.telemetry && m.topic !== t.diagnostics) continue
        try {
            const boot = (JSON.parse(m.payload.toString()) as { boot?: unknown }).boot
            if (typeof boot === "string" && boot) return boot
        } catch {
            // not JSON: not one of the firmware's messages
        }
    }
    return undefined
}

/** One line for the end of a run: which devices stopped as planned and which were powered off. */
export function describePlannedStop(all: readonly string[], planned: readonly string[]): string {
    const names = (l: readonly string[]) =>
        l.length > 8 ? `${l.slice(0, 8).join(", ")} and ${l.length - 8} more` : l.join(", ")
    const off = all.filter(n => !planned.includes(n))
    const parts = []
    if (planned.length)
        parts.push(`${planned.length} stopped as planned (offline status, DISCONNECT): ${names(planned)}`)
    if (off.length)
        parts.push(
            `${off.length} powered off (not connected, or not stopped within ${PLANNED_STOP_WAIT_MS / 1000} s; the broker publishes their Will): ${names(off)}`,
        )
    return `devices: ${parts.join("; ")}`
}
