/**
 * Incremental framer: a TCP byte stream in, complete MQTT frames (first byte + body) out.
 *
 * The stream has no alignment with packets (C82, [MQTT-7.1.2-1]): a chunk may hold part of a
 * header, several packets, or the tail of one packet and the head of the next. The framer handles
 * any split.
 *
 * Memory: the only buffer the framer allocates is the body of the frame being assembled, and it is
 * allocated only after the header has been checked, so at most maxPacketBytes. A remaining length
 * above the limit is rejected from the header alone, before any body byte arrives and without
 * allocating it (C08, malformed #2). Pushed chunks are kept by reference (not copied) until their
 * bytes are consumed, so a chunk must not be modified after push(); call next() until it returns
 * null after every push, as the session does, and nothing else accumulates.
 *
 * An oversized PUBLISH is not an error (issue 22): a broker redelivers a QoS 1 message after every
 * reconnect, so closing on it would keep the device off the air for as long as the broker keeps the
 * message. Its first OVERSIZE_KEEP_BYTES (topic and packet id) are kept, the rest is skipped as it
 * arrives without being buffered, and next() returns a frame whose `size` is larger than its body:
 * the session acknowledges it and counts a drop. Any other packet type over the limit, or a PUBLISH
 * over OVERSIZE_SKIP_MAX_BYTES, is an error.
 *
 * Errors are sticky until reset(): after one, the stream is out of sync and the only way on is to
 * close the connection (C80). Later pushes are dropped.
 *
 * Non-minimal remaining lengths (80 00 for 0, C07): ACCEPTED. MQTT 3.1.1 §2.2.3 defines the value
 * by its decoding algorithm and, unlike 5.0 (§1.5.5), does not require the minimal form, so
 * rejecting it would be a stricter rule than the spec (C84). A 5th length byte is still malformed.
 *
 * Portable: imports only bytes.ts.
 */
import { blit } from "./bytes"

/** Largest remaining length accepted by default. Devices have little RAM (C08). */
export const MAX_PACKET_BYTES_DEFAULT = 8192
/** §2.2.3: the remaining length takes 1 to 4 bytes. */
const MAX_LENGTH_BYTES = 4
/** Kept of an oversized PUBLISH: topic length (2) + a topic of up to 256 bytes + packet id (2). */
export const OVERSIZE_KEEP_BYTES = 260
/**
 * Largest PUBLISH skipped rather than refused: 1 MiB, ~180 runs of the VM's loop at a receive
 * window each. A header that claims more (up to 256 MB) is a protocol violation: skipping it would
 * hold the connection for as long as the broker cares to trickle.
 */
export const OVERSIZE_SKIP_MAX_BYTES = 1048576
const PUBLISH_TYPE = 3

export interface Frame {
    firstByte: number
    /** The whole body, or only its first bytes when `size` is larger (an oversized PUBLISH). */
    body: Buffer
    /** The remaining length as sent. */
    size: number
}

/** The fixed header of a frame that starts in a buffer: what tools that hold whole buffers need. */
export interface FrameHeader {
    /** The remaining length: the body's size. */
    remaining: number
    /** First byte + length bytes (2..5); 0 while the header is incomplete; -1 if malformed. */
    headerBytes: number
}

/**
 * Reads the fixed header of the frame at `at` by the Framer's rules (1 to 4 length bytes,
 * non-minimal forms accepted, a 5th length byte malformed: C07), for host tools that hold
 * whole buffers: the fault proxy, the wire analysis, the fuzzer. The device uses Framer,
 * which reads the same header across chunks; test/mqtt/framer.test.ts checks that both
 * split every stream the same way.
 */
export function frameHeader(b: Buffer, at: number): FrameHeader {
    let rl = 0
    let multiplier = 1
    for (let i = 1; i <= MAX_LENGTH_BYTES; i++) {
        if (at + i >= b.length) return { remaining: 0, headerBytes: 0 }
        const x = b[at + i]
        rl += (x & 0x7f) * multiplier
        if ((x & 0x80) === 0) return { remaining: rl, headerBytes: i + 1 }
        multiplier *= 128
    }
    return { remaining: 0, headerBytes: -1 }
}

export class Framer {
    /** "" or a sticky error: "malformed remaining length", "packet too large". */
    error!: string
    private readonly maxPacketBytes: number
    private chunks!: Buffer[]
    /** Read position in chunks[0]. */
    private offset!: number
    /** Unconsumed bytes in chunks. */
    private queued!: number
    /** Body of the frame being assembled, or null while waiting for a header. */
    private body!: Buffer | null
    private firstByte!: number
    private filled!: number
    /** Remaining length of the pending frame (larger than body.length for an oversized PUBLISH). */
    private size!: number
    /** Bytes of the pending oversized PUBLISH still to be skipped once its body is full. */
    private skip!: number

    constructor(maxPacketBytes?: number) {
        this.maxPacketBytes =
            maxPacketBytes === undefined || maxPacketBytes === null ? MAX_PACKET_BYTES_DEFAULT : maxPacketBytes
        this.reset()
    }

    /** Drops everything, including a sticky error: for a new connection. */
    reset(): void {
        this.error = ""
        this.chunks = []
        this.offset = 0
        this.queued = 0
        this.body = null
        this.firstByte = 0
        this.filled = 0
        this.size = 0
        this.skip = 0
    }

    /** Bytes received and not yet returned in a frame or skipped (header bytes of a pending frame excluded). */
    buffered(): number {
        return this.queued + this.filled
    }

    /** Appends a chunk (kept by reference until consumed). Checks the header as soon as it is complete. */
    push(chunk: Buffer | null | undefined): void {
        if (this.error !== "" || chunk === undefined || chunk === null || chunk.length === 0) return
        this.chunks.push(chunk)
        this.queued += chunk.length
        if (this.body === null) this.readHeader()
        if (this.body !== null) this.fill()
    }

    /** One complete frame, or null if more bytes are needed (or after an error). */
    next(): Frame | null {
        if (this.error !== "") return null
        if (this.body === null && !this.readHeader()) return null
        this.fill()
        const body = this.body
        if (body === null || this.filled < body.length || this.skip > 0) return null
        this.body = null
        this.filled = 0
        return { firstByte: this.firstByte, body: body, size: this.size }
    }

    /** The k-th unconsumed byte (k is small: header bytes only). */
    private peek(k: number): number {
        let pos = this.offset + k
        for (let i = 0; i < this.chunks.length; i++) {
            const c = this.chunks[i]
            if (pos < c.length) return c[pos]
            pos -= c.length
        }
        return -1
    }

    private consume(n: number): void {
        this.offset += n
        this.queued -= n
        while (this.chunks.length > 0 && this.offset >= this.chunks[0].length) {
            this.offset -= this.chunks[0].length
            this.chunks.shift()
        }
    }

    /**
     * Parses first byte + remaining length if all of it is queued; on success allocates the body.
     * Sets error on a 5th length byte (C07, malformed #1) or a length above the limit (C08), except
     * for a PUBLISH, whose head only is kept (see the file comment).
     */
    private readHeader(): boolean {
        if (this.error !== "") return false
        let rl = 0
        let multiplier = 1
        for (let i = 1; i <= MAX_LENGTH_BYTES; i++) {
            if (i >= this.queued) return false // need more bytes
            const x = this.peek(i)
            rl += (x & 0x7f) * multiplier
            if ((x & 0x80) === 0) {
                const first = this.peek(0)
                let keep = rl
                if (rl > this.maxPacketBytes) {
                    if (first >> 4 !== PUBLISH_TYPE || rl > OVERSIZE_SKIP_MAX_BYTES) {
                        this.fail("packet too large")
                        return false
                    }
                    keep = rl < OVERSIZE_KEEP_BYTES ? rl : OVERSIZE_KEEP_BYTES
                }
                this.firstByte = first
                this.consume(i + 1)
                this.body = Buffer.alloc(keep)
                this.size = rl
                this.skip = rl - keep
                this.filled = 0
                return true
            }
            multiplier *= 128
        }
        this.fail("malformed remaining length")
        return false
    }

    /** Copies queued bytes into the pending body, releasing chunks as they are used up. */
    private fill(): void {
        const body = this.body
        if (body === null) return
        while (this.filled < body.length && this.queued > 0) {
            const c = this.chunks[0]
            let n = c.length - this.offset
            if (n > body.length - this.filled) n = body.length - this.filled
            // One native copy, not a bytecode loop per byte (the VM's InfiniteLoop watchdog counts
            // instructions), and no temporary slice (the heap is small).
            blit(body, this.filled, c, this.offset, n)
            this.filled += n
            this.consume(n)
        }
        // The tail of an oversized PUBLISH: released chunk by chunk, never copied.
        while (this.filled === body.length && this.skip > 0 && this.queued > 0) {
            let n = this.chunks[0].length - this.offset
            if (n > this.skip) n = this.skip
            this.skip -= n
            this.consume(n)
        }
    }

    private fail(error: string): void {
        this.error = error
        this.chunks = []
        this.offset = 0
        this.queued = 0
        this.body = null
        this.filled = 0
        this.skip = 0
    }
}
