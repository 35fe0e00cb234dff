/**
 * Keepalive bookkeeping [MQTT-3.1.2-23]: when to send PINGREQ and when the link counts as dead.
 * Pure: the session tells it the time of every write and every inbound packet.
 */

/** Ping after this fraction of the keepalive without traffic: margin for VM/GC jitter (C35). */
const PING_FRACTION = 0.75

/** What the connection loop must do now (`KeepAlive.check`). */
export const KA_OK = 0
export const KA_PING = 1
export const KA_DEAD = 2

export class KeepAlive {
    lastSentMs = 0
    lastRecvMs = 0
    /** When the PINGRESP (or any packet) must have arrived; 0: no PINGREQ outstanding. */
    pingDeadlineMs = 0

    constructor(private readonly kaMs: number) {}

    /** Any inbound packet proves the link is alive. */
    received(now: number) {
        this.lastRecvMs = now
        this.pingDeadlineMs = 0
    }

    /** KA_PING: send a PINGREQ now (the deadline for its answer starts); KA_DEAD: close. */
    check(now: number): number {
        if (this.pingDeadlineMs > 0 && now >= this.pingDeadlineMs) return KA_DEAD
        const idleMs = this.kaMs * PING_FRACTION
        // Also ping when nothing arrived for a while although we keep sending:
        // a downstream black hole would otherwise go unnoticed (S4).
        if (
            this.kaMs > 0 &&
            this.pingDeadlineMs === 0 &&
            (now - this.lastSentMs >= idleMs || now - this.lastRecvMs >= idleMs)
        ) {
            // Half-open link detected within 1.5 x keepalive (C36).
            this.pingDeadlineMs = now + this.kaMs * (1.5 - PING_FRACTION)
            return KA_PING
        }
        return KA_OK
    }

    /** The next time `check` can change its answer (at most a minute away). */
    nextWakeMs(now: number): number {
        let t = now + 60000
        if (this.kaMs > 0) {
            if (this.pingDeadlineMs > 0) t = Math.min(t, this.pingDeadlineMs)
            else t = Math.min(t, Math.min(this.lastSentMs, this.lastRecvMs) + this.kaMs * PING_FRACTION)
        }
        return Math.max(t, now + 1)
    }
}
