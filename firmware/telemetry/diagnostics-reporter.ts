/**
 * Publishes the diagnostics JSON (QoS 1, not retained): right after every CONNACK, again once the
 * outbox has caught up after that connect (so the drop counters of an outage are complete), and
 * every DIAG_EVERY_MS.
 */
import * as ds from "@devicescript/core"
import { Session } from "../mqtt/session"
import { readRegister } from "../sensors/read-register"
import { FIRMWARE_VERSION } from "../version"
import { ClockSync } from "../time/clock-sync"
import { buildDiagnostics } from "./diagnostics"
import { settingsStats } from "./settings-writer"

const RSSI_TIMEOUT_MS = 500
/** How often the reporter looks at the session (a connect, the outbox drained). */
const POLL_MS = 250

export class DiagnosticsReporter {
    private readonly wifi = new ds.Wifi()

    constructor(
        private readonly session: Session,
        private readonly topic: string,
        private readonly periodMs: number,
        private readonly boot: string,
        private readonly clock: ClockSync
    ) {}

    async publishOnce(): Promise<void> {
        const s = this.session
        const rssi = await readRegister(this.wifi, this.wifi.reading, RSSI_TIMEOUT_MS)
        const d = buildDiagnostics({
            fw: FIRMWARE_VERSION,
            boot: this.boot,
            arch: ds._dcfgString("archId"),
            uptimeMs: ds.millis(),
            stats: s.stats,
            queue: s.outbox.count(),
            queueBytes: s.outbox.bytes(),
            inflight: s.outbox.inflightCount(),
            rssi: rssi === -128 ? NaN : rssi,
            settingsWrites: settingsStats.writes,
            settingsRefused: settingsStats.refused,
            timeSyncs: this.clock.syncs,
            timeRttMs: this.clock.rttMs,
            timeAccuracyMs: this.clock.accuracyMs(),
        })
        s.publish(this.topic, Buffer.from(JSON.stringify(d)), { qos: 1, retain: false, ttlMs: this.periodMs, replace: true, evict: false })
    }

    async run(): Promise<void> {
        const s = this.session
        let connects = 0
        let caughtUp = 0
        let next = ds.millis() + this.periodMs
        for (;;) {
            let due = ds.millis() >= next
            if (s.isConnected() && s.stats.connects !== connects) {
                connects = s.stats.connects
                due = true
            } else if (s.isConnected() && caughtUp !== connects && s.outbox.count() === 0) {
                caughtUp = connects
                due = true
            }
            if (due) {
                await this.publishOnce()
                next = ds.millis() + this.periodMs
            }
            await ds.sleep(POLL_MS)
        }
    }
}
