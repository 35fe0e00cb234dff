/**
 * A service's view of the session's CONNACKs, for the fibers that act after each one (discovery,
 * diagnostics, time sync): `take()` is true once after each CONNACK, and a fiber waiting in
 * `wait()` wakes at once. A Waker that the session also notifies: two heap objects per service
 * (itself and its list of sleepers), no closure.
 */
import type { ConnectedListener, Session } from "../mqtt/session"
import { Waker } from "./waker"

export class ConnectWatch extends Waker implements ConnectedListener {
    private pending = false

    constructor(session: Session) {
        super()
        session.onConnected(this)
    }

    /** A CONNACK (the session calls it). */
    connected() {
        this.set()
    }

    /** Sets the flag and wakes the fiber (a CONNACK, or the service asking for a round now). */
    set() {
        this.pending = true
        this.notify()
    }

    /** True once after each set(). */
    take(): boolean {
        const p = this.pending
        this.pending = false
        return p
    }
}
