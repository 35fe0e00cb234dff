/**
 * Wall time over MQTT: the offset between the device clock (`ds.millis()`, since boot) and Unix
 * time, from one request/response with the round trip measured (Cristian's algorithm).
 *
 *   device -> `<prefix>/<device>/time/req`   payload: its clock, integer ms ("51234")
 *   host   -> `<prefix>/<device>/time/resp`  payload: {"t": 51234, "now": <host Unix ms>}
 *
 * The host's `now` was taken somewhere inside the round trip, so `now + rtt/2` is within `rtt/2` of
 * the true Unix time at the moment the answer arrived; add the granularity of the device clock and
 * that is the accuracy of every `ts` derived from this sample. Only the answer to the latest request
 * counts: a late answer to an older one (a resend after a reconnect) is ignored, and so is a sample
 * whose round trip is longer than MAX_RTT_MS, because its error bound would be too wide.
 *
 * A time server can lie or be wrong (issue 22): an answer outside [earliestUnixMs, latestUnixMs) is
 * refused and counted (`refused`): before this firmware existed, or more than 10 years after, or not
 * a number at all (1e300 was taken as is). Within that window an answer is believed; one that moves
 * the clock back by more than the two samples' error bounds is counted (`stepsBack`), and `ts` never
 * goes backwards within a boot: unixMs() holds the last value it gave until the clock passes it
 * again (the new offset is used, the step is absorbed, no reading gets an earlier `ts` than the one
 * before it). Portable and pure: no I/O, no timers; the caller passes its clock readings.
 */
export const CLOCK_DEFAULTS = {
    /** A sample whose round trip is longer than this is not used (its error could be half of it). */
    maxRttMs: 2000,
    /** Resync this often while connected (crystal drift: 50 ppm is 30 ms in 10 min), and after every CONNACK. */
    resyncMs: 600000,
    /** No answer within this: ask again, doubling up to resyncMs (no time server: a request every 10 min). */
    replyTimeoutMs: 3000,
    /** `ds.millis()` steps: 1 ms on ESP32/RP2040; the simulator's VM clock is `Date.now()` (ms). */
    granularityMs: 1,
    /** 2026-01-01T00:00:00Z: no answer can be older than this firmware. */
    earliestUnixMs: 1767225600000,
    /** 2036-01-01T00:00:00Z: ten years on; a build still running then refuses the time (counted) until updated. */
    latestUnixMs: 2082758400000,
}

export class ClockSync {
    /** Unix ms = device ms + offsetMs; NaN until the first good sample. */
    offsetMs = NaN
    /** Round trip of the sample in use; -1 before the first. */
    rttMs = -1
    /** Good samples so far. */
    syncs = 0
    /** Answers not used (stale, too slow, malformed, implausible). */
    rejected = 0
    /** Of those, answers whose time is outside the plausible window (a lying or broken server). */
    refused = 0
    /** Samples that moved the clock back by more than their error bounds. */
    stepsBack = 0
    /** The latest Unix ms unixMs() gave: it never gives less within a boot. */
    private lastUnixMs = 0
    /** Device clock of the outstanding request; -1 when none. */
    private pendingT = -1

    /** The request payload for a request sent now (device clock `nowMs`). */
    request(nowMs: number): string {
        this.pendingT = Math.round(nowMs)
        return "" + this.pendingT
    }

    /** Handles an answer that arrived at `nowMs`; true when it was used. */
    onAnswer(text: string, nowMs: number): boolean {
        let a: any = null
        try {
            a = JSON.parse(text)
        } catch (e) {
            a = null
        }
        const ok = a !== null && typeof a === "object" && typeof a.t === "number" && typeof a.now === "number"
        const rtt = ok ? nowMs - a.t : -1
        if (!ok || this.pendingT < 0 || a.t !== this.pendingT || rtt < 0 || rtt > CLOCK_DEFAULTS.maxRttMs) {
            this.rejected++
            return false
        }
        this.pendingT = -1
        if (!(a.now >= CLOCK_DEFAULTS.earliestUnixMs && a.now < CLOCK_DEFAULTS.latestUnixMs)) {
            this.rejected++
            this.refused++
            return false
        }
        const offset = a.now + rtt / 2 - nowMs
        const bound = Math.ceil(rtt / 2) + CLOCK_DEFAULTS.granularityMs
        if (this.syncs > 0 && offset < this.offsetMs - bound - this.accuracyMs()) this.stepsBack++
        this.offsetMs = offset
        this.rttMs = rtt
        this.syncs++
        return true
    }

    synced(): boolean {
        return this.syncs > 0
    }

    /**
     * Unix ms at device clock `deviceMs`, rounded; NaN before the first sync (never a guess). Never
     * less than a value it gave before (a step back is absorbed; call it with a clock that only goes on).
     */
    unixMs(deviceMs: number): number {
        if (this.syncs === 0) return NaN
        const t = Math.round(deviceMs + this.offsetMs)
        if (t > this.lastUnixMs) this.lastUnixMs = t
        return this.lastUnixMs
    }

    /** The error bound of unixMs(): half the round trip of the sample in use plus the clock step; -1 before the first sync. */
    accuracyMs(): number {
        return this.syncs > 0 ? Math.ceil(this.rttMs / 2) + CLOCK_DEFAULTS.granularityMs : -1
    }
}
