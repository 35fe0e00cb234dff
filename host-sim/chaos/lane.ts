/**
 * One direction of a proxied TCP link with a delay, a jitter and a bandwidth
 * (the toxiproxy "latency" and "bandwidth" toxics). TCP is an ordered stream,
 * so jitter never reorders: a chunk is written no earlier than the one before
 * it. Bandwidth serialises chunks: a chunk occupies the lane for
 * bytes / (bytes per second), then travels for latency ± jitter.
 */
export interface LaneShape {
    latencyMs: number
    jitterMs: number
    /** Bytes per second; 0 = unlimited. */
    bandwidthBps: number
}

export class Lane {
    private readonly queue: { at: number; data: Buffer }[] = []
    private timer?: NodeJS.Timeout
    /** When the last queued chunk is written. */
    private lastAt = 0
    /** When the lane has finished sending the chunks given to it so far (bandwidth). */
    private busyUntil = 0
    private closed = false
    /** Runs once the queue is empty after finish(). */
    private finished?: () => void

    constructor(
        private readonly write: (data: Buffer) => void,
        private readonly shape: () => LaneShape,
        private readonly rand: () => number,
    ) {}

    send(data: Buffer): void {
        if (this.closed) return
        const s = this.shape()
        if (s.latencyMs <= 0 && s.jitterMs <= 0 && s.bandwidthBps <= 0 && this.queue.length === 0) {
            this.write(data)
            return
        }
        const now = Date.now()
        let ready = now
        if (s.bandwidthBps > 0) {
            const start = Math.max(now, this.busyUntil)
            this.busyUntil = start + (data.length * 1000) / s.bandwidthBps
            ready = this.busyUntil
        }
        const delay = Math.max(0, s.latencyMs + (s.jitterMs > 0 ? (2 * this.rand() - 1) * s.jitterMs : 0))
        const at = Math.max(ready + delay, this.lastAt)
        this.lastAt = at
        this.queue.push({ at, data })
        if (this.queue.length === 1) this.arm()
    }

    /** Drops whatever is still queued (the link is gone). */
    close(): void {
        this.closed = true
        this.queue.length = 0
        this.finished = undefined
        if (this.timer) clearTimeout(this.timer)
    }

    /** Takes no more chunks and runs `then` once every queued chunk is written (a FIN follows the data). */
    finish(then: () => void): void {
        if (this.closed) return
        this.closed = true
        if (this.queue.length === 0) then()
        else this.finished = then
    }

    private arm() {
        if (this.timer) clearTimeout(this.timer)
        const head = this.queue[0]
        if (!head) return
        this.timer = setTimeout(() => this.drain(), Math.max(0, head.at - Date.now()))
    }

    private drain() {
        const now = Date.now()
        while (this.queue.length > 0 && this.queue[0].at <= now) this.write(this.queue.shift()!.data)
        if (this.queue.length === 0 && this.finished) {
            const then = this.finished
            this.finished = undefined
            then()
            return
        }
        this.arm()
    }
}
