/**
 * Exponential backoff with full jitter and a cap (the AWS architecture blog
 * shape): delay = random(0, min(cap, base * 2^attempt)), never below `floorMs`.
 * Reset after a connection that stayed up for `stableMs`.
 */
export interface BackoffPolicy {
    baseMs: number
    capMs: number
    floorMs: number
}

/**
 * The cap bounds how long a device waits after the broker is back: the wait that spans the
 * broker's return is longer than average (it is more likely to cover that instant), and with a
 * uniform draw over [0, cap] it exceeds r with probability (1 - r/cap)^2, so p95 = 0.78 × cap
 * = 23 s at 30 s, while a fleet's reconnects stay spread over 30 s.
 */
export const BACKOFF_TRANSIENT: BackoffPolicy = { baseMs: 1000, capMs: 30000, floorMs: 500 }
/** Sessions the broker keeps closing right after CONNACK (a second client with our id): slow down more. */
export const BACKOFF_CONFLICT: BackoffPolicy = { baseMs: 5000, capMs: 120000, floorMs: 5000 }
/** CONNACK 4/5: credentials are wrong; retrying fast only floods the broker log (checklist policy). */
export const BACKOFF_AUTH: BackoffPolicy = { baseMs: 30000, capMs: 1800000, floorMs: 30000 }
/** CONNACK 1/2: configuration error; retry very slowly and surface the state. */
export const BACKOFF_CONFIG: BackoffPolicy = { baseMs: 3600000, capMs: 3600000, floorMs: 3600000 }

export class Backoff {
    attempt = 0

    constructor(public policy: BackoffPolicy) {}

    /** The next delay in ms; `u` is a uniform random number in [0, 1). */
    next(u: number): number {
        const p = this.policy
        let ceiling = p.baseMs
        for (let i = 0; i < this.attempt && ceiling < p.capMs; i++) ceiling *= 2
        if (ceiling > p.capMs) ceiling = p.capMs
        this.attempt++
        const d = Math.floor(u * ceiling)
        return d < p.floorMs ? p.floorMs : d
    }

    reset(policy: BackoffPolicy) {
        this.policy = policy
        this.attempt = 0
    }
}
