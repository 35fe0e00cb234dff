/**
 * The telemetry loop: every period, read every sensor (each one fails on its
 * own), build the payload and queue it with QoS 1. Queueing never blocks the
 * loop: while offline the session's bounded queue holds the messages.
 */
import * as ds from "@devicescript/core"
import { Session } from "../mqtt/session"
import { Sensor, SENSOR_FAILED, setHealth } from "../sensors/sensor"
import { ERR_EXCEPTION } from "../sensors/sensor-error"
import { ClockSync } from "../time/clock-sync"
import { Waker } from "../net/waker"
import { buildPayload } from "./payload"

/** How long boot waits for each sensor before publishing without it. */
const BOOT_WAIT_MS = 3000
/** How long boot waits for the first time sync, so the first reading usually has its `ts` (offline: it goes without). */
const TIME_WAIT_MS = 3000

export class TelemetryPublisher {
    seq = 0
    private readonly periodChanged = new Waker()

    constructor(
        private readonly session: Session,
        private readonly sensors: Sensor[],
        private readonly topic: string,
        public periodMs: number,
        private readonly boot: string,
        private readonly clock: ClockSync,
    ) {}

    /** A new period applies at once: the current wait is cut short. */
    setPeriod(ms: number) {
        this.periodMs = ms
        this.periodChanged.notify()
    }

    async publishOnce(): Promise<void> {
        const values: Record<string, number> = {}
        for (const s of this.sensors) {
            try {
                await s.read(values)
            } catch (e) {
                // Sensors never throw (sensor.ts); one that does anyway is a bug, and still only that sensor fails.
                setHealth(s, SENSOR_FAILED, ERR_EXCEPTION)
            }
        }
        this.seq++
        const readAt = ds.millis()
        const payload = buildPayload(this.boot, this.seq, this.clock.unixMs(readAt), readAt, values, this.sensors)
        this.session.publish(this.topic, Buffer.from(JSON.stringify(payload)), {
            qos: 1,
            retain: false,
            // A reading older than 100 periods is history, not telemetry.
            ttlMs: this.periodMs * 100,
            replace: false,
            // Readings are the loss ledger: their drops are counted apart.
            tagged: true,
        })
    }

    async run(): Promise<void> {
        // Give the sensors a moment to appear on the bus before the first reading.
        for (const s of this.sensors) {
            if (!(await s.ready(BOOT_WAIT_MS))) console.warn(`sensor ${s.name}: not found at boot (${s.error})`)
        }
        const timeWaitEnd = ds.millis() + TIME_WAIT_MS
        while (!this.clock.synced() && ds.millis() < timeWaitEnd) await ds.sleep(100)
        for (;;) {
            const started = ds.millis()
            await this.publishOnce()
            let left = this.periodMs - (ds.millis() - started)
            while (left > 0) {
                await this.periodChanged.wait(left)
                left = started + this.periodMs - ds.millis()
            }
            await ds.sleep(0)
        }
    }
}
