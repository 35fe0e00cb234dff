/**
 * What the session is given: a byte-stream transport and a runtime (clock,
 * sleep, randomness, logging). The session never reaches for sockets or
 * timers itself, so Node tests drive it with a fake transport and fake time,
 * and the device runs it over DeviceScript sockets.
 */

export interface Transport {
    /** Opens the connection. Throws an Error with a readable message on failure or timeout. */
    open(host: string, port: number, tls: boolean, timeoutMs: number): Promise<void>
    /** Writes one whole packet. Throws when the connection is gone. */
    write(data: Buffer): void
    /**
     * Waits for the next chunk of bytes: a Buffer, `null` once the connection
     * is closed, or `undefined` after `timeoutMs` or an `interrupt()`.
     */
    read(timeoutMs: number): Promise<Buffer | null | undefined>
    /** Makes a pending `read` return `undefined` now (new work was queued). */
    interrupt(): void
    /** Closes the connection (idempotent). */
    close(): void
    /**
     * The error the connection was closed by ("" for a plain close, or while open): e.g. a TLS
     * certificate refused after the TCP connect had already been reported as open.
     */
    closeReason(): string
}

export const LOG_DEBUG = 0
export const LOG_INFO = 1
export const LOG_WARN = 2
export const LOG_ERROR = 3

export interface Runtime {
    /** Milliseconds, monotonic. */
    now(): number
    sleep(ms: number): Promise<void>
    /** Uniform in [0, 1). */
    random(): number
    log(level: number, msg: string): void
}

/** A wake-up point: `wait` returns after `notify()` or the timeout. */
export interface Signal {
    wait(timeoutMs: number): Promise<void>
    notify(): void
}

export interface SignalFactory {
    newSignal(): Signal
}
