/**
 * The diagnostics JSON: firmware version, uptime, the MQTT client counters and
 * whatever the platform reports (Wi-Fi RSSI). Portable.
 */
import { SessionStats } from "../mqtt/stats"

export interface DiagnosticsInput {
    fw: string
    boot: string
    arch: string
    uptimeMs: number
    stats: SessionStats
    queue: number
    queueBytes: number
    inflight: number
    /** Readings the broker acknowledged: with what a subscriber received, the ledger names readings lost after the PUBACK. */
    readingsAcked: number
    /** Subscriptions the broker refused, waiting for their retry. */
    subsRefused: string[]
    /** NaN when the platform does not report it. */
    rssi: number
    /** Settings written / refused (over the size limit) since boot. */
    settingsWrites: number
    settingsRefused: number
    /** Time sync: good samples, round trip and error bound of the one in use (-1: not synced). */
    timeSyncs: number
    timeRttMs: number
    timeAccuracyMs: number
    /** Answers refused as implausible, and steps back absorbed (clock-sync.ts). */
    timeRefused: number
    timeStepsBack: number
}

function sum(counts: Record<string, number>): number {
    let n = 0
    for (const k of Object.keys(counts)) n += counts[k]
    return n
}

export function buildDiagnostics(i: DiagnosticsInput): any {
    const s = i.stats
    const d: any = {
        fw: i.fw,
        boot: i.boot,
        arch: i.arch,
        uptime_ms: i.uptimeMs,
        mqtt: {
            connects: s.connects,
            reconnects: s.connects > 0 ? s.connects - 1 : 0,
            disconnects: s.disconnects,
            published: s.published,
            acked: s.acked,
            retransmits: s.retransmits,
            received: s.received,
            protocol_errors: s.protocolErrors,
            dropped: sum(s.drops),
            drops: s.drops,
            readings_dropped: s.taggedDrops,
            readings_acked: i.readingsAcked,
            queue: i.queue,
            queue_bytes: i.queueBytes,
            inflight: i.inflight,
            rtt_ms: s.lastRttMs,
            inbound_dropped: s.inboundDrops,
            subscribe_refusals: s.subscribeRefusals,
            subs_refused: i.subsRefused,
        },
        settings: { writes: i.settingsWrites, refused: i.settingsRefused },
        time: {
            syncs: i.timeSyncs,
            rtt_ms: i.timeRttMs,
            accuracy_ms: i.timeAccuracyMs,
            refused: i.timeRefused,
            steps_back: i.timeStepsBack,
        },
    }
    if (!isNaN(i.rssi)) d.rssi = i.rssi
    return d
}
