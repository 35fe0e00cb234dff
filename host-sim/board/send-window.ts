/**
 * The Pico W send limit, modelled on the lwIP calls the runtime makes.
 *
 * `jd_tcpsock_write` is `tcp_write(COPY)` then `tcp_output` (pico:src/lwip_sock.c:160-185); Nagle is
 * left on (no `tcp_nagle_disable` anywhere in pico:src). With LWIP_NETIF_TX_SINGLE_PBUF every new
 * segment allocates one MSS-sized RAM pbuf (lwIP tcp_out.c `tcp_pbuf_prealloc`: "always create
 * MSS-sized pbufs"), and MEM_SIZE is 4,000 B (pico:src/lwipopts.h:8-15): two segment pbufs fit, a
 * third does not. So:
 *
 *  - the first write goes out at once as segment 1 (nothing is unacknowledged);
 *  - while segment 1 is unacknowledged, Nagle holds later writes in segment 2, which fills up to one
 *    MSS (small writes are appended into the pbuf's spare room);
 *  - a write that needs a third segment fails with ERR_MEM (-1), and the runtime closes the
 *    connection: `error: write error: -1` + `close` (lwip_sock.c:174-182).
 *
 * The limit is therefore len(segment 1) + 1 MSS: 1.5 to 2.9 KB, depending on the first write.
 *
 * Acknowledgements: the simulator cannot see TCP ACKs, so it assumes (1) any data from the peer
 * acknowledges every segment sent before it (its ACK field covers all it has received; the broker
 * answers CONNECT, PUBLISH QoS 1, SUBSCRIBE and PINGREQ), and (2) a segment sent `ackAfterMs` ago is
 * acknowledged anyway (a delayed ACK; 200 ms is Linux's TCP_DELACK_MAX, the slowest a Linux broker
 * acknowledges). Both are kinder than nothing and harsher than a LAN. While the network is down
 * nothing is acknowledged. Pure: the clock is injected, no timers.
 */
import type { SendWindowModel } from "./profiles.ts"

interface Segment {
    bytes: number
    /** Host time it was sent; null while Nagle holds it. */
    sentAtMs: number | null
}

export class SendWindow {
    private segs: Segment[] = []
    private acksFlow = true

    constructor(
        private readonly model: SendWindowModel,
        private readonly now: () => number = Date.now,
    ) {}

    /** Bytes written and not yet acknowledged (sent or held). */
    get outstandingBytes(): number {
        this.retire()
        return this.segs.reduce((n, s) => n + s.bytes, 0)
    }

    /** tcp_write + tcp_output: false is ERR_MEM (nothing was queued). */
    write(len: number): boolean {
        this.retire()
        const mss = this.model.mssBytes
        const last = this.segs[this.segs.length - 1]
        const room = last && last.sentAtMs === null ? mss - last.bytes : 0
        const rest = len - Math.min(room, len)
        const fresh = Math.ceil(rest / mss)
        if (this.segs.length + fresh > this.model.segments) return false
        if (last && room > 0) last.bytes += len - rest
        for (let left = rest; left > 0; left -= mss) this.segs.push({ bytes: Math.min(mss, left), sentAtMs: null })
        this.output()
        return true
    }

    /** Data arrived from the peer: everything sent before it is acknowledged. */
    peerData(): void {
        if (!this.acksFlow) return
        this.segs = this.segs.filter(s => s.sentAtMs === null)
        this.output()
    }

    /** The network went away (false) or came back (true): no ACKs in between. */
    setAcksFlow(on: boolean): void {
        if (on && !this.acksFlow) for (const s of this.segs) if (s.sentAtMs !== null) s.sentAtMs = this.now()
        this.acksFlow = on
    }

    /** tcp_output with Nagle: the first held segment goes when nothing is unacknowledged or it is full. */
    private output() {
        for (const s of this.segs) {
            if (s.sentAtMs !== null) continue
            const unacked = this.segs.some(o => o.sentAtMs !== null)
            if (unacked && s.bytes < this.model.mssBytes) break
            s.sentAtMs = this.now()
        }
    }

    private retire() {
        if (!this.acksFlow) return
        const t = this.now()
        for (;;) {
            const before = this.segs.length
            this.segs = this.segs.filter(s => s.sentAtMs === null || t - s.sentAtMs < this.model.ackAfterMs)
            if (this.segs.length === before) return
            this.output()
        }
    }
}
