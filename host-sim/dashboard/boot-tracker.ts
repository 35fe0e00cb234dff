/**
 * Which boot of a device a telemetry message belongs to. Readings that carry
 * `boot` (issue 14) say so; older firmware does not, so a boot is inferred:
 * within one boot `uptime_ms` never decreases as `seq` grows (two readings can
 * share a millisecond when one waited for a sensor timeout), so a message whose (seq,
 * uptime_ms) cannot sit in the current boot's sequence starts a new one. A
 * resend (same seq, same uptime) is a duplicate, not a reboot. Pure.
 */

/** Seq → uptime pairs kept per boot to place a late (out-of-order) message. */
const MAX_PAIRS = 2000

export class BootTracker {
    private inferred = 0
    private current = ""
    /** seq → uptime_ms of the current inferred boot. */
    private pairs = new Map<number, number>()
    private maxSeq = -1

    /** The boot key of this message: its `boot` field as text, else "#1", "#2", ... in order of appearance. */
    bootOf(boot: unknown, seq: number, uptimeMs: number): string {
        if (typeof boot === "string" || typeof boot === "number") return String(boot)
        if (!this.current || !this.fits(seq, uptimeMs)) {
            this.current = `#${++this.inferred}`
            this.pairs = new Map()
            this.maxSeq = -1
        }
        if (!this.pairs.has(seq)) {
            this.pairs.set(seq, uptimeMs)
            if (this.pairs.size > MAX_PAIRS) this.pairs.delete(this.pairs.keys().next().value as number)
        }
        this.maxSeq = Math.max(this.maxSeq, seq)
        return this.current
    }

    private fits(seq: number, uptimeMs: number): boolean {
        const known = this.pairs.get(seq)
        if (known !== undefined) return known === uptimeMs
        // The usual case: the next reading of the boot.
        const last = this.pairs.get(this.maxSeq)
        if (seq > this.maxSeq && last !== undefined) return uptimeMs >= last
        let below = -Infinity
        let above = Infinity
        for (const [s, u] of this.pairs) {
            if (s < seq && u > below) below = u
            if (s > seq && u < above) above = u
        }
        return uptimeMs >= below && uptimeMs <= above
    }
}
