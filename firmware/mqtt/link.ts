/**
 * What belongs to one connection, in one object (issue 25): the framer of inbound bytes, the
 * keepalive clock, the send pacer, whether CONNACK has been accepted, the connection loop's next
 * wake-up and its yield counter. Allocated once with the session (no heap per connection) and reset
 * in one place, `reset()`, when a connection starts: nothing of the previous connection carries
 * over. What outlives a connection (the outbox, subscriptions, inbound QoS 2 ids, backoff) stays in
 * the session.
 *
 * Portable: imports nothing from @devicescript/*.
 */
import { Framer } from "./framer"
import { KeepAlive } from "./keepalive"
import { TxPacer } from "./tx-pacer"

export class Link {
    readonly framer: Framer
    readonly ka: KeepAlive
    /** Everything written, paced for the smallest board's send buffer (tx-pacer.ts). */
    readonly pacer = new TxPacer()
    /** CONNACK accepted and the connection not lost since. */
    connected = false
    /** Chunks and frames handled since the connection fiber last yielded (see `breathe`, inbound.ts). */
    sinceYield = 0
    /** When the connection loop must look again: a write the pacer held back, a refused subscription's retry (0: none). */
    wakeAtMs = 0

    constructor(maxInboundBytes: number, keepAliveMs: number) {
        this.framer = new Framer(maxInboundBytes)
        this.ka = new KeepAlive(keepAliveMs)
    }

    /** A connection starts. */
    reset() {
        this.framer.reset()
        this.pacer.reset()
        this.ka.pingDeadlineMs = 0
        this.connected = false
        this.sinceYield = 0
        this.wakeAtMs = 0
    }

    /** The connection loop looks again at `t` at the latest. */
    wakeAt(t: number) {
        if (this.wakeAtMs === 0 || t < this.wakeAtMs) this.wakeAtMs = t
    }
}
