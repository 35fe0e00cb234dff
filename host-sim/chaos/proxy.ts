/**
 * A TCP fault-injection proxy between a device and a broker (the toxiproxy
 * model): the device connects to the proxy's port; faults can be switched on
 * and off at run time:
 *
 * - `reset()`        abort every live connection (RST), as a crashed NAT or Wi-Fi drop does;
 * - `blackhole`      "both": nothing passes either way, sockets stay open (half-open link, S3);
 *                    "down": broker→device dropped only (S4);
 * - `sliceBytes`     deliver broker→device bytes in chunks of at most N bytes (S5, C82);
 * - `latencyMs`      delay each chunk in both directions (S6);
 * - `refuse`         reset every new connection (the broker is unreachable);
 * - `dropNext`       drop the next broker→device packets of the given MQTT types (e.g. a PUBACK).
 *
 * Downstream bytes are cut into MQTT frames so that packet-level faults never
 * desynchronise the stream.
 */
import { EventEmitter } from "node:events"
import { connect, createServer, type Server, type Socket } from "node:net"

export type Blackhole = "none" | "both" | "down"

interface Link {
    client: Socket
    upstream: Socket
    downBuf: Buffer
}

export class ChaosProxy extends EventEmitter {
    port = 0
    blackhole: Blackhole = "none"
    sliceBytes = 0
    latencyMs = 0
    /** MQTT packet types (1..14) to drop, once each, from broker to device. */
    dropNext: number[] = []
    /** Close every new connection at once (broker unreachable). */
    refuse = false
    connections = 0
    private server?: Server
    private readonly links = new Set<Link>()

    constructor(
        private readonly targetHost: string,
        public targetPort: number
    ) {
        super()
    }

    async start(): Promise<void> {
        this.server = createServer(client => this.accept(client))
        await new Promise<void>(resolve => this.server!.listen(0, "127.0.0.1", () => resolve()))
        this.port = (this.server.address() as { port: number }).port
    }

    /** Aborts every live connection with a TCP reset. */
    reset(): void {
        for (const l of this.links) {
            l.client.resetAndDestroy()
            l.upstream.resetAndDestroy()
        }
        this.links.clear()
    }

    async stop(): Promise<void> {
        this.reset()
        await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()))
    }

    private accept(client: Socket) {
        this.connections++
        if (this.refuse) {
            client.resetAndDestroy()
            return
        }
        const upstream = connect({ host: this.targetHost, port: this.targetPort })
        const link: Link = { client, upstream, downBuf: Buffer.alloc(0) }
        this.links.add(link)
        const end = (side: Socket) => () => {
            // A black hole also swallows the close: the other side keeps a half-open socket.
            if (this.blackhole === "both") {
                side.destroy()
                return
            }
            if (!this.links.delete(link)) return
            client.destroy()
            upstream.destroy()
        }
        client.on("error", end(client)).on("close", end(client))
        upstream.on("error", end(upstream)).on("close", end(upstream))
        client.on("data", d => {
            if (this.blackhole === "both") return
            this.later(() => upstream.write(d))
        })
        upstream.on("data", d => {
            if (this.blackhole !== "none") return
            link.downBuf = Buffer.concat([link.downBuf, d])
            for (const frame of takeFrames(link)) this.deliver(client, frame)
        })
        this.emit("connection", this.connections)
    }

    private deliver(client: Socket, frame: Buffer) {
        const type = frame[0] >> 4
        const i = this.dropNext.indexOf(type)
        if (i >= 0) {
            this.dropNext.splice(i, 1)
            this.emit("dropped", type)
            return
        }
        if (this.sliceBytes <= 0) return this.later(() => client.write(frame))
        for (let o = 0; o < frame.length; o += this.sliceBytes) {
            const piece = frame.subarray(o, o + this.sliceBytes)
            this.later(() => client.write(piece))
        }
    }

    private later(fn: () => void) {
        if (this.latencyMs > 0) setTimeout(fn, this.latencyMs)
        else fn()
    }
}

/** Complete MQTT frames at the head of the link's buffer (fixed header + remaining length). */
function takeFrames(link: Link): Buffer[] {
    const out: Buffer[] = []
    for (;;) {
        const b = link.downBuf
        if (b.length < 2) return out
        let len = 0
        let mul = 1
        let i = 1
        for (; i < b.length && i <= 4; i++) {
            len += (b[i] & 0x7f) * mul
            mul *= 128
            if ((b[i] & 0x80) === 0) break
        }
        if (i >= b.length || i > 4) {
            if (i > 4) {
                // Not MQTT (or a fuzz case): pass the rest through untouched.
                out.push(b)
                link.downBuf = Buffer.alloc(0)
            }
            return out
        }
        const total = i + 1 + len
        if (b.length < total) return out
        out.push(b.subarray(0, total))
        link.downBuf = b.subarray(total)
    }
}
