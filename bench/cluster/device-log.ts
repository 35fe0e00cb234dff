/**
 * What each simulated device's own log says about its connections: every
 * attempt and every CONNACK, with the broker it named (MQTT_HOSTS logs the
 * broker on each connect), timed on the host clock when the line arrived.
 */

export interface Connect {
    atMs: number
    port: number
    /** The CONNACK's session-present flag: the broker had the device's clean=0 session. */
    sessionPresent: boolean
}

const LINES_KEPT = 5000

export class DeviceLog {
    readonly attempts: number[] = []
    readonly connects: Connect[] = []
    readonly problems: string[] = []
    /** When its status keeper answered a wrong `offline` on its own status topic (a stale Will) with `online`. */
    readonly corrections: number[] = []
    /** Every line with its time, for a loss to be looked at (the last LINES_KEPT). */
    readonly lines: { atMs: number; text: string }[] = []

    constructor(readonly device: string) {}

    line(text: string, atMs = Date.now()): void {
        this.lines.push({ atMs, text })
        if (this.lines.length > LINES_KEPT) this.lines.shift()
        if (/PANIC|Exception/.test(text)) this.problems.push(text)
        if (/-> connecting/.test(text)) this.attempts.push(atMs)
        // firmware/telemetry/status-keeper.ts
        if (/a wrong 'offline' on the status topic was answered/.test(text)) this.corrections.push(atMs)
        const m = /-> connected \(([^)]*)mqtt:\/\/[^:]+:(\d+)\)/.exec(text)
        if (m)
            this.connects.push({
                atMs,
                port: Number(m[2]),
                sessionPresent: m[1].includes("session present"),
            })
    }

    /** The port of the broker it is connected to now (its last CONNACK), or 0. */
    get port(): number {
        return this.connects.length ? this.connects[this.connects.length - 1].port : 0
    }

    /** Its first CONNACK after `t` (optionally from another broker than `notPort`). */
    connectAfter(t: number, notPort = 0): Connect | undefined {
        return this.connects.find(c => c.atMs >= t && c.port !== notPort)
    }
}

/** The highest number of events in any one-second window starting at an event, after `from`. */
export function peakPerSecond(times: number[], from: number): number {
    const ts = times.filter(t => t >= from).sort((a, b) => a - b)
    let peak = 0
    for (let i = 0, j = 0; i < ts.length; i++) {
        while (ts[i] - ts[j] >= 1000) j++
        peak = Math.max(peak, i - j + 1)
    }
    return peak
}

/** Resolves when `cond()` holds, checked on every device log line; rejects after `timeoutMs` with `what`. */
export function until(
    subscribe: (on: () => void) => () => void,
    cond: () => boolean,
    timeoutMs: number,
    what: string,
): Promise<void> {
    if (cond()) return Promise.resolve()
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            off()
            reject(new Error(`timed out after ${timeoutMs} ms: ${what}`))
        }, timeoutMs)
        const off = subscribe(() => {
            if (!cond()) return
            clearTimeout(timer)
            off()
            resolve()
        })
    })
}
