/**
 * How much the session may write before the peer has surely acknowledged it at the TCP level: the
 * smallest send buffer among the boards. A Pico W closes its socket when a write needs a third
 * segment pbuf (ERR_MEM), i.e. past its first unacknowledged segment + one MSS; the first segment
 * can be a 4-byte PUBACK, so one MSS, 1,460 B, is what is always safe (../shared/hardware-fidelity.md
 * §3.4; host-sim/board/send-window.ts models it). The outbox's window (WINDOW_BYTES) bounds the
 * readings in flight; this bounds everything written, PUBACKs for a burst of commands and the log
 * answers included (issue 22: 300 commands closed a Pico W's socket with 2,111 B unacknowledged).
 *
 * The session cannot see TCP ACKs, and data from the peer is no proof: it may have been sent before
 * our last writes and waited in the receive path (a burst of commands arrives a TCP window at a time;
 * resetting on every chunk let 2,203 B go unacknowledged on the Pico W profile). So time alone: once
 * nothing has been written for ACK_DELAY_MS, the peer has acknowledged it all (a delayed ACK comes
 * within Linux's TCP_DELACK_MAX, 200 ms). Writes therefore go in bursts of at most one MSS, at most
 * one burst per ACK_DELAY_MS: ~5.8 KB/s, ~40 readings a second while a backlog drains. Pure: the
 * clock is passed in.
 */
export const TX_UNHEARD_MAX_BYTES = 1460
export const ACK_DELAY_MS = 250

export class TxPacer {
    /** Bytes written since the last pause of ACK_DELAY_MS. */
    private unheard = 0
    private lastWriteMs = 0

    /** A new connection: nothing is outstanding. */
    reset() {
        this.unheard = 0
    }

    wrote(n: number, now: number) {
        this.unheard += n
        this.lastWriteMs = now
    }

    /** 0 when `n` more bytes may be written now, else how many ms until they may. */
    waitMs(n: number, now: number): number {
        if (this.unheard === 0 || this.unheard + n <= TX_UNHEARD_MAX_BYTES) return 0
        const t = this.lastWriteMs + ACK_DELAY_MS - now
        if (t > 0) return t
        this.unheard = 0
        return 0
    }
}
