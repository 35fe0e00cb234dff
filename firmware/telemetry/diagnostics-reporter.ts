/**
 * Publishes the diagnostics JSON (QoS 1, not retained): right after every CONNACK, again once the
 * outbox has caught up after that connect (so the drop counters of an outage are complete), and
 * every DIAG_EVERY_MS.
 */
import * as ds from "@devicescript/core"
import { Session } from "../mqtt/session"
import { ConnectWatch } from "../net/connect-watch"
import { readRegister } from "../sensors/read-register"
import { FIRMWARE_VERSION } from "../version"
import { ClockSync } from "../time/clock-sync"
import { buildDiagnostics } from "./diagnostics"
import { settingsStats } from "../settings-store"

const RSSI_TIMEOUT_MS = 500
/**
 * How often the reporter looks for a drained outbox after a connect (only then: otherwise it sleeps
 * until the next report or a CONNACK). A poll, not a wait on the session's changes: those fire on
 * every PUBACK.
 */
const DRAIN_POLL_MS = 250

export class DiagnosticsReporter {
    private readonly wifi = new ds.Wifi()
    /** CONNACKs: a report follows each one. */
    private readonly connects: ConnectWatch

    constructor(
        private readonly session: Session,
        private readonly topic: string,
        private readonly periodMs: number,
        private readonly boot: string,
        private readonly clock: ClockSync,
        private readonly arch: string,
    ) {
        this.connects = new ConnectWatch(session)
    }

    /** A report now (a rebirth command), and another once the outbox has caught up. */
    refresh() {
        this.connects.set()
    }

    async publishOnce(): Promise<void> {
        const rssi = await readRegister(this.wifi, this.wifi.reading, RSSI_TIMEOUT_MS)
        const s = this.session.snapshot()
        const d = buildDiagnostics({
            fw: FIRMWARE_VERSION,
            boot: this.boot,
            arch: this.arch,
            uptimeMs: ds.millis(),
            stats: s.stats,
            queue: s.queue,
            queueBytes: s.queueBytes,
            inflight: s.inflight,
            readingsAcked: s.readingsAcked,
            subsRefused: s.subsRefused,
            rssi: rssi === -128 ? NaN : rssi,
            settingsWrites: settingsStats.writes,
            settingsRefused: settingsStats.refused,
            timeSyncs: this.clock.syncs,
            timeRttMs: this.clock.rttMs,
            timeAccuracyMs: this.clock.accuracyMs(),
            timeRefused: this.clock.refused,
            timeStepsBack: this.clock.stepsBack,
        })
        this.session.publish(this.topic, Buffer.from(JSON.stringify(d)), {
            qos: 1,
            retain: false,
            ttlMs: this.periodMs,
            replace: true,
        })
    }

    async run(): Promise<void> {
        const s = this.session
        /** The report that follows the drain after the last connect went out (none is due before a connect). */
        let caughtUp = true
        let next = ds.millis() + this.periodMs
        for (;;) {
            let due = ds.millis() >= next
            if (s.isConnected() && this.connects.take()) {
                caughtUp = false
                due = true
            } else if (!caughtUp && s.isConnected() && s.snapshot().queue === 0) {
                caughtUp = true
                due = true
            }
            if (due) {
                await this.publishOnce()
                next = ds.millis() + this.periodMs
                // Look again before sleeping: a CONNACK during the report woke no one.
                continue
            }
            await this.connects.wait(!caughtUp && s.isConnected() ? DRAIN_POLL_MS : next - ds.millis())
        }
    }
}
