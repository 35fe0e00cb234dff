/**
 * A service's view of the session's CONNACKs, for the fibers that act after each one (discovery,
 * diagnostics, time sync): `take()` is true once after each CONNACK, and a fiber sleeping in
 * `sleep()` wakes at once. One flag and one Waker per service.
 */
import type { Session } from "../mqtt/session"
import { Waker } from "./waker"

export class ConnectWatch {
    private pending = false
    private readonly ev = new Waker()

    constructor(session: Session) {
        const self = this
        session.onConnected(() => self.set())
    }

    /** Sets the flag and wakes the fiber (a CONNACK, or the service asking for a round now). */
    set() {
        this.pending = true
        this.ev.notify()
    }

    /** Wakes the fiber without setting the flag (time sync: an answer came). */
    poke() {
        this.ev.notify()
    }

    /** True once after each set(). */
    take(): boolean {
        const p = this.pending
        this.pending = false
        return p
    }

    /** Sleeps until set() or poke(), at most `ms` (no limit when omitted). */
    async sleep(ms?: number): Promise<void> {
        await this.ev.wait(ms)
    }
}
