/**
 * A planned stop or reboot asked from the broker (issues 22 and 26): `<prefix>/<device>/cmd/stop` and
 * `<prefix>/<device>/cmd/reboot`, QoS 1, whose payload is the id of the boot they are meant for (the
 * `boot` field of this boot's telemetry and diagnostics). Both end the session as planned: the
 * retained `offline` status, then DISCONNECT, so the broker publishes no Will (docs/outages.md).
 * `reboot` then resets the board (`ds.reboot()`); `stop` leaves it off the network until it is reset
 * or power-cycled. The simulator's `--duration` end and Ctrl-C stop its devices this way.
 *
 * Why the boot id: a command queued for an offline device or redelivered after a reset (a persistent
 * session redelivers unacknowledged QoS 1 messages) would otherwise stop or reboot every later boot
 * too; one naming an earlier boot is refused on the log topic. A retained one is ignored for the same
 * reason. The handler (in the connection fiber) only notes what is wanted; this fiber acts.
 */
import * as ds from "@devicescript/core"
import { Session, ST_STOPPED } from "../mqtt/session"
import { Waker } from "../net/waker"
import { DeviceLog } from "./device-log"
import { Topics } from "./topics"

const STOP = 1
const REBOOT = 2

export class PowerCommands {
    /** STOP or REBOOT once asked by a command naming this boot; 0: nothing asked. */
    private wanted = 0
    /** A command that named another boot (or was retained), answered by the fiber. */
    private refused = ""
    private readonly work = new Waker()

    constructor(
        private readonly session: Session,
        topics: Topics,
        private readonly boot: string,
        private readonly log: DeviceLog,
    ) {
        const self = this
        session.subscribe(topics.stop, 1, (t, p, retain) => self.asked(STOP, t, p, retain))
        session.subscribe(topics.reboot, 1, (t, p, retain) => self.asked(REBOOT, t, p, retain))
    }

    private asked(what: number, topic: string, payload: Buffer, retain: boolean) {
        if (!retain && payload.length === this.boot.length && payload.toString() === this.boot) {
            if (!this.wanted) this.wanted = what
        } else this.refused = topic
        this.work.notify()
    }

    async run(): Promise<void> {
        while (!this.wanted) {
            if (this.refused) {
                this.log.say(
                    "warn",
                    "power",
                    `${this.refused} ignored: its payload must be this boot's id ${this.boot} (the boot field of telemetry), not retained`,
                    true,
                )
                this.refused = ""
            }
            await this.work.wait()
        }
        const reboot = this.wanted === REBOOT
        console.log(`power: planned ${reboot ? "reboot" : "stop"}: offline status, DISCONNECT`)
        const s = this.session
        s.stop()
        while (s.state !== ST_STOPPED) await s.changed.wait(1000)
        if (reboot) ds.reboot()
        console.log("power: stopped; reset or power-cycle the board to start it again")
    }
}
