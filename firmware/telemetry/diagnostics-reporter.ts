/**
 * Publishes the diagnostics JSON every DIAG_PERIOD_MS (QoS 1, not retained).
 */
import * as ds from "@devicescript/core"
import { Session } from "../mqtt/session"
import { readRegister } from "../sensors/read-register"
import { FIRMWARE_VERSION } from "../version"
import { buildDiagnostics } from "./diagnostics"

const RSSI_TIMEOUT_MS = 500

export class DiagnosticsReporter {
    private readonly wifi = new ds.Wifi()

    constructor(
        private readonly session: Session,
        private readonly topic: string,
        private readonly periodMs: number
    ) {}

    async publishOnce(): Promise<void> {
        const s = this.session
        const rssi = await readRegister(this.wifi, this.wifi.reading, RSSI_TIMEOUT_MS)
        const d = buildDiagnostics({
            fw: FIRMWARE_VERSION,
            arch: ds._dcfgString("archId"),
            uptimeMs: ds.millis(),
            stats: s.stats,
            queue: s.outbox.count(),
            queueBytes: s.outbox.bytes(),
            inflight: s.outbox.inflightCount(),
            rssi: rssi === -128 ? NaN : rssi,
        })
        s.publish(this.topic, Buffer.from(JSON.stringify(d)), { qos: 1, retain: false, ttlMs: this.periodMs, replace: true })
    }

    async run(): Promise<void> {
        for (;;) {
            await ds.sleep(this.periodMs)
            await this.publishOnce()
        }
    }
}
