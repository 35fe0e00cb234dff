/**
 * The verdict table of the cluster bench: one column per cluster, one row
 * per question of issue 12, each cell a measured value.
 */
import { BACK_TIMEOUT_MS, type ClusterResult } from "./scenario.ts"

const BACK_S = BACK_TIMEOUT_MS / 1000
import type { RetainedView } from "./retained-probe.ts"

export type ClusterOutcome = ClusterResult | { kind: string; unavailable: string } | { kind: string; error: string }

function views(r: Record<string, RetainedView>, pick: (v: RetainedView) => number): string {
    return Object.values(r).map(pick).join(" / ")
}

function causes(c: Record<string, number>): string {
    const k = Object.keys(c).filter(x => c[x] > 0)
    return k.length ? k.map(x => `${x} ${c[x]}`).join(", ") : "none"
}

export function verdictTable(outcomes: ClusterOutcome[]): string {
    const ok = outcomes.filter((o): o is ClusterResult => "ledger" in o)
    const rows: [string, (r: ClusterResult) => string][] = [
        ["version", r => r.version],
        ["devices × period", r => `${r.devices} × ${r.periodMs} ms`],
        ["cluster start (3 nodes)", r => `${(r.clusterStartMs / 1000).toFixed(1)} s`],
        ["readings sent (highest seq per boot)", r => String(r.ledger.sent)],
        ["delivered (unique, watcher on n3)", r => String(r.ledger.delivered)],
        ["lost", r => String(r.ledger.lost)],
        ["  explained by the devices' drop counters", r => causes(r.ledger.explained)],
        ["  acknowledged by the broker, never delivered", r => String(r.ledger.lostAfterAck ?? "–")],
        ["  unexplained QoS 1 loss", r => String(r.ledger.unexplained)],
        ["duplicated (QoS 1 resends)", r => String(r.ledger.duplicates)],
        [
            "kill a node: devices on it → moved",
            r => `${r.kill.node}: ${r.kill.devicesOnNode} → ${r.kill.moved} (${r.kill.stuck} stuck)`,
        ],
        [
            "  their session found on the new node (CONNACK session present)",
            r => `${r.kill.sessionsKept ?? "–"} of ${r.kill.moved}`,
        ],
        ["  time to reconnect (slowest)", r => `${(r.kill.reconnectMsMax / 1000).toFixed(1)} s`],
        ["  new subscriptions refused on the surviving nodes", r => r.kill.subscribeRefusals],
        [
            "  Will (`offline`) seen for them by the watcher (QoS 1, n3)",
            r => `${r.kill.willsSeen} of ${r.kill.devicesOnNode}`,
        ],
        [
            "  a Will answered by its device with `online` (device log), the last after the kill",
            r =>
                r.kill.willsCorrected === undefined
                    ? "–"
                    : r.kill.willsCorrected
                      ? `${r.kill.willsCorrected} of ${r.kill.devicesOnNode}, ${(r.kill.willCorrectedMsMax / 1000).toFixed(1)} s`
                      : `0 of ${r.kill.devicesOnNode}`,
        ],
        ["restart it: node answers MQTT after", r => `${(r.restart.readyMs / 1000).toFixed(1)} s`],
        ["retained status online, wildcard sub (n1 / n2 / n3)", r => views(r.retained, v => v.online)],
        ["retained status online, exact topic (n1 / n2 / n3)", r => views(r.retained, v => v.onlineExact)],
        ["retained `offline` for devices that are online (n1 / n2 / n3)", r => views(r.retained, v => v.offline)],
        ["devices with retained discovery, `homeassistant/#` (n1 / n2 / n3)", r => views(r.retained, v => v.discovery)],
        [
            "site power cut: brokers answer MQTT after",
            r =>
                r.powerCut.powerOnError
                    ? `not all: ${r.powerCut.powerOnError}`
                    : `${(r.powerCut.brokersReadyMs / 1000).toFixed(1)} s`,
        ],
        [
            "  every device connected after",
            r => (r.powerCut.stuck ? `not within ${BACK_S} s` : `${(r.powerCut.allOnlineMs / 1000).toFixed(1)} s`),
        ],
        [
            "  peak connects / attempts per second",
            r => `${r.powerCut.peakConnectsPerS} / ${r.powerCut.peakAttemptsPerS}`,
        ],
        ["  devices stuck", r => String(r.powerCut.stuck)],
        ["after the power cut: retained online, wildcard (n1 / n2 / n3)", r => views(r.finalRetained, v => v.online)],
        ["  retained `offline` left behind, wildcard (n1 / n2 / n3)", r => views(r.finalRetained, v => v.offline)],
        ["PANIC / Exception in device logs", r => String(r.panics.length)],
    ]
    const head = `| | ${ok.map(r => r.kind).join(" | ")} |\n| --- |${ok.map(() => " --- |").join("")}`
    const body = rows.map(([label, f]) => `| ${label} | ${ok.map(f).join(" | ")} |`).join("\n")
    const missing = outcomes
        .filter(o => !("ledger" in o))
        .map(
            o =>
                `- ${o.kind}: ${"unavailable" in o ? `unavailable (${o.unavailable})` : `failed: ${(o as { error: string }).error.split("\n")[0]}`}`,
        )
    return [ok.length ? `${head}\n${body}` : "(no cluster ran)", ...(missing.length ? ["", ...missing] : [])].join("\n")
}
