/**
 * A TCP fault-injection proxy between a device and a broker (the toxiproxy
 * model): the device connects to the proxy's port; faults can be switched on
 * and off at run time:
 *
 * - `reset()`        abort every live connection (RST), as a crashed NAT or Wi-Fi drop does;
 * - `blackhole`      "both": nothing passes either way, sockets stay open (half-open link, S3);
 *                    "down": broker→device dropped only (S4);
 * - `sliceBytes`     deliver broker→device bytes in chunks of at most N bytes (S5, C82);
 * - `sliceRandomMax` cut the broker→device stream into random chunks of 1..N bytes that ignore
 *                    packet boundaries, coalescing what arrives together (S5, C82);
 * - `latencyMs`, `jitterMs`, `bandwidthBps`
 *                    delay each chunk in both directions by latency ± jitter, never reordering,
 *                    and limit each direction to a byte rate (S6; see lane.ts);
 * - `refuse`         reset every new connection (the broker is unreachable);
 * - `setListening(false)`
 *                    close the listening socket: new connections are refused by the OS (S8);
 * - `dropNext`       drop the next broker→device packets of the given MQTT types (e.g. a PUBACK);
 * - `holdTypes`      hold back broker→device packets of these types until `releaseHeld()`
 *                    (a withheld CONNACK or a slow broker's PUBACKs: S8, S10);
 * - `connackRc`      rewrite the return code of every CONNACK (e.g. 3, server unavailable: S8).
 *
 * Without a fault the link ends as it ended at either end: a reset (RST, ECONNRESET, a refused
 * upstream connect) resets the other side, a clean close (FIN) is passed on as a FIN after the bytes
 * sent before it. The device then sees what its board would see, and with two proxies in a row
 * (the simulator's per-device proxy in front of a test's fault proxy) a reset stays a reset.
 *
 * Downstream bytes are cut into MQTT frames so that packet-level faults never
 * desynchronise the stream. Random choices come from a seeded generator.
 */
import { EventEmitter } from "node:events"
import { connect, createServer, type Server, type Socket } from "node:net"
import { frameHeader } from "../../firmware/mqtt/framer.ts"
import { prng } from "../sensors/models.ts"
import { Lane } from "./lane.ts"

export type Blackhole = "none" | "both" | "down"

const CONNACK = 2
/** Downstream bytes that arrive within this window are coalesced before random slicing. */
const COALESCE_MS = 2

interface Link {
    client: Socket
    upstream: Socket
    downBuf: Buffer
    up: Lane
    down: Lane
    held: Buffer[]
    /** Frames waiting to be cut into random slices. */
    sliceBuf: Buffer[]
    sliceTimer?: NodeJS.Timeout
}

export class ChaosProxy extends EventEmitter {
    port = 0
    blackhole: Blackhole = "none"
    sliceBytes = 0
    sliceRandomMax = 0
    latencyMs = 0
    jitterMs = 0
    bandwidthBps = 0
    /** MQTT packet types (1..14) to drop, once each, from broker to device. */
    dropNext: number[] = []
    /** MQTT packet types held back from the device until releaseHeld(). */
    holdTypes: number[] = []
    /** CONNACK return code to substitute; -1 leaves CONNACKs alone. */
    connackRc = -1
    /** Close every new connection at once (broker unreachable). */
    refuse = false
    connections = 0
    /** Date.now() of every accepted connection, for backoff measurements. */
    readonly connectionTimes: number[] = []
    private rand: () => number = prng(1)
    private server?: Server
    private readonly links = new Set<Link>()

    constructor(
        private readonly targetHost: string,
        public targetPort: number,
    ) {
        super()
    }

    /** Reseeds the generator behind jitter and random slices. */
    seed(n: number): void {
        this.rand = prng(n)
    }

    async start(): Promise<void> {
        await this.listen(0)
        this.port = (this.server!.address() as { port: number }).port
    }

    /** Off: the port stops accepting (connection refused); on: it listens again on the same port. */
    async setListening(on: boolean): Promise<void> {
        if (on === !!this.server?.listening) return
        if (on) return this.listen(this.port)
        // Live connections stay up; only the listening socket goes (at once, not when they end).
        this.server!.close()
        await new Promise(resolve => setImmediate(resolve))
    }

    /** Aborts every live connection with a TCP reset. */
    reset(): void {
        for (const l of this.links) this.drop(l, true)
        this.links.clear()
    }

    /** Delivers every held packet, in order, and stops holding. */
    releaseHeld(): void {
        this.holdTypes = []
        for (const l of this.links) {
            const held = l.held
            l.held = []
            for (const f of held) this.deliver(l, f)
        }
    }

    async stop(): Promise<void> {
        this.reset()
        const s = this.server
        await new Promise<void>(resolve => (s?.listening ? s.close(() => resolve()) : resolve()))
    }

    private listen(port: number): Promise<void> {
        this.server = createServer(client => this.accept(client))
        return new Promise<void>((resolve, reject) => {
            this.server!.once("error", reject)
            this.server!.listen(port, "127.0.0.1", () => resolve())
        })
    }

    private drop(l: Link, rst: boolean) {
        l.up.close()
        l.down.close()
        if (l.sliceTimer) clearTimeout(l.sliceTimer)
        for (const s of [l.client, l.upstream]) {
            if (s.destroyed) continue
            if (rst) s.resetAndDestroy()
            else s.destroy()
        }
    }

    /** The broker closed: bytes still held for slicing or framing go to the device before the FIN. */
    private flushDown(l: Link) {
        if (l.sliceTimer) clearTimeout(l.sliceTimer)
        l.sliceTimer = undefined
        const rest = Buffer.concat([...l.sliceBuf, l.downBuf])
        l.sliceBuf = []
        l.downBuf = Buffer.alloc(0)
        if (rest.length > 0 && this.blackhole === "none") l.down.send(rest)
    }

    private accept(client: Socket) {
        this.connections++
        this.connectionTimes.push(Date.now())
        if (this.refuse) {
            client.resetAndDestroy()
            return
        }
        const upstream = connect({ host: this.targetHost, port: this.targetPort })
        const shape = () => ({ latencyMs: this.latencyMs, jitterMs: this.jitterMs, bandwidthBps: this.bandwidthBps })
        const write = (s: Socket) => (d: Buffer) => {
            if (!s.destroyed) s.write(d)
        }
        const link: Link = {
            client,
            upstream,
            downBuf: Buffer.alloc(0),
            up: new Lane(write(upstream), shape, () => this.rand()),
            down: new Lane(write(client), shape, () => this.rand()),
            held: [],
            sliceBuf: [],
        }
        this.links.add(link)
        // A close passes as a close and a reset as a reset, each way (issue 23): the device must see
        // what the board would see when the broker or the network ends the link.
        const gone = (side: Socket, other: Socket, lane: Lane) => {
            const fin = () => {
                // A black hole also swallows the close: the other side keeps a half-open socket.
                if (this.blackhole === "both") return side.destroy()
                if (side === upstream) this.flushDown(link)
                lane.finish(() => {
                    if (!other.destroyed) other.end()
                })
            }
            const error = () => {
                if (this.blackhole === "both") return side.destroy()
                if (!this.links.delete(link)) return
                this.drop(link, true)
            }
            const close = () => {
                if (this.blackhole === "both" || !this.links.has(link)) return
                // The other side gets its FIN (once) and closes in its own time; the link is over when both have.
                if (!other.destroyed) return fin()
                this.links.delete(link)
                this.drop(link, false)
            }
            side.on("end", fin).on("error", error).on("close", close)
        }
        gone(client, upstream, link.up)
        gone(upstream, client, link.down)
        client.on("data", d => {
            if (this.blackhole === "both") return
            link.up.send(d)
        })
        upstream.on("data", d => {
            if (this.blackhole !== "none") return
            link.downBuf = Buffer.concat([link.downBuf, d])
            for (const frame of takeFrames(link)) this.deliver(link, frame)
        })
        this.emit("connection", this.connections)
    }

    private deliver(link: Link, frame: Buffer) {
        const type = frame[0] >> 4
        const i = this.dropNext.indexOf(type)
        if (i >= 0) {
            this.dropNext.splice(i, 1)
            this.emit("dropped", type)
            return
        }
        if (this.holdTypes.indexOf(type) >= 0) {
            link.held.push(frame)
            this.emit("held", type)
            return
        }
        if (type === CONNACK && this.connackRc >= 0 && frame.length === 4) {
            frame = Buffer.from(frame)
            frame[3] = this.connackRc
        }
        if (this.sliceRandomMax > 0) return this.sliceRandomly(link, frame)
        if (this.sliceBytes <= 0) return link.down.send(frame)
        for (let o = 0; o < frame.length; o += this.sliceBytes) link.down.send(frame.subarray(o, o + this.sliceBytes))
    }

    /** Coalesces frames for a moment, then cuts the bytes into random pieces that ignore frame boundaries. */
    private sliceRandomly(link: Link, frame: Buffer) {
        link.sliceBuf.push(frame)
        if (link.sliceTimer) return
        link.sliceTimer = setTimeout(() => {
            link.sliceTimer = undefined
            const all = Buffer.concat(link.sliceBuf)
            link.sliceBuf = []
            for (let o = 0; o < all.length;) {
                const n = 1 + Math.floor(this.rand() * this.sliceRandomMax)
                link.down.send(all.subarray(o, o + n))
                this.emit("slice", o, Math.min(n, all.length - o))
                o += n
            }
        }, COALESCE_MS)
    }
}

/** Complete MQTT frames at the head of the link's buffer, split by the device's own header rules (framer.ts). */
function takeFrames(link: Link): Buffer[] {
    const out: Buffer[] = []
    for (;;) {
        const b = link.downBuf
        const h = frameHeader(b, 0)
        if (h.headerBytes < 0) {
            // Not MQTT (or a fuzz case): pass the rest through untouched.
            out.push(b)
            link.downBuf = Buffer.alloc(0)
            return out
        }
        const total = h.headerBytes + h.remaining
        if (h.headerBytes === 0 || b.length < total) return out
        out.push(b.subarray(0, total))
        link.downBuf = b.subarray(total)
    }
}
