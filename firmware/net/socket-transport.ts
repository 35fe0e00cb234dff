/**
 * Transport over DeviceScript's native socket (the only DeviceScript-specific
 * MQTT file). The runtime has one socket at a time, and reports its events
 * through the global `ds._socketOnEvent` hook, which this transport owns.
 *
 * Received chunks are held until the session reads them, bounded by
 * RX_MAX_BYTES: a peer that floods faster than we parse gets disconnected
 * rather than exhausting the heap.
 */
import * as ds from "@devicescript/core"
import { Transport } from "../mqtt/transport"
import { Waker } from "./waker"

type SocketEvent = "open" | "close" | "data" | "error"
type DsSockets = typeof ds & {
    _socketOpen(host: string, port: number): number
    _socketClose(): number
    _socketWrite(buf: Buffer): number
    _socketOnEvent(event: SocketEvent, arg?: Buffer | string): void
}
const sockets = ds as DsSockets

/** ESP32 reads arrive in <= 1024-byte chunks; this is many packets' worth. */
const RX_MAX_BYTES = 16384

export class SocketTransport implements Transport {
    private chunks: Buffer[] = []
    private rxBytes = 0
    private open_ = false
    private closed = true
    private error = ""
    private readonly wake = new Waker()
    /** ds.millis() when opens started failing for want of a network; 0 while there is one. */
    noNetworkSinceMs = 0

    async open(host: string, port: number, tls: boolean, timeoutMs: number): Promise<void> {
        this.close()
        this.chunks = []
        this.rxBytes = 0
        this.error = ""
        this.closed = false
        this.open_ = false
        const self = this
        sockets._socketOnEvent = (ev, arg) => self.onEvent(ev, arg)
        let r = 0
        try {
            r = sockets._socketOpen(host, tls ? -port : port)
        } catch (e) {
            // Wi-Fi down: the runtime throws "network not available" (ds:runtime/devicescript/network/wifi.c).
            this.closed = true
            if (this.noNetworkSinceMs === 0) this.noNetworkSinceMs = ds.millis()
            throw e
        }
        this.noNetworkSinceMs = 0
        if (r !== 0) {
            this.closed = true
            throw new Error(`cannot open ${tls ? "tls" : "tcp"}://${host}:${port} (error ${r})`)
        }
        const deadline = ds.millis() + timeoutMs
        while (!this.open_ && !this.closed && ds.millis() < deadline) await this.wake.wait(deadline - ds.millis())
        if (this.open_) return
        const why = this.error || (this.closed ? "closed" : "timeout")
        this.close()
        throw new Error(`cannot connect to ${host}:${port}: ${why}`)
    }

    write(data: Buffer): void {
        if (!this.open_) throw new Error("not connected")
        const r = sockets._socketWrite(data)
        // Not closed here: a write that finds the link dead comes before the runtime's report of
        // why it died (error + close events), which the session may still wait for. The session
        // closes the transport after any failed write.
        if (r !== 0) throw new Error(`socket write error ${r}`)
    }

    async read(timeoutMs: number): Promise<Buffer | null | undefined> {
        if (this.chunks.length === 0 && !this.closed) await this.wake.wait(timeoutMs)
        if (this.chunks.length > 0) {
            const c = this.chunks.shift()
            this.rxBytes -= c.length
            return c
        }
        return this.closed ? null : undefined
    }

    interrupt(): void {
        this.wake.notify()
    }

    closeReason(): string {
        return this.closed ? this.error : ""
    }

    close(): void {
        if (!this.closed) sockets._socketClose()
        this.closed = true
        this.open_ = false
        this.wake.notify()
    }

    private onEvent(ev: SocketEvent, arg?: Buffer | string) {
        if (ev === "open") {
            this.open_ = true
        } else if (ev === "data") {
            const b = arg as Buffer
            this.rxBytes += b.length
            if (this.rxBytes > RX_MAX_BYTES) {
                this.error = "receive buffer overflow"
                this.close()
                return
            }
            this.chunks.push(b)
        } else {
            if (ev === "error") this.error = "" + arg
            this.closed = true
            this.open_ = false
        }
        this.wake.notify()
    }
}
