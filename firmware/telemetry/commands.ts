/**
 * The device's commands, `<prefix>/<device>/cmd/<name>` (QoS 1), behind one subscription
 * (`cmd/+`) and no fiber of their own (issues 22, 23 and 26):
 * - `rebirth` (any payload): discovery, status and a diagnostics report again (status-keeper.ts);
 * - `stop` and `reboot`, whose payload is the id of the boot they are meant for (the `boot` field of
 *   this boot's telemetry and diagnostics): a planned stop, the retained `offline` status and then
 *   DISCONNECT, so the broker publishes no Will (docs/outages.md). `reboot` then resets the board;
 *   `stop` leaves it off the network until it is reset or power-cycled (main.ts, after the session
 *   has ended). The simulator's `--duration` end and Ctrl-C stop its devices this way.
 * Why the boot id: a command queued for an offline device or redelivered after a reset (a persistent
 * session redelivers unacknowledged QoS 1 messages) would otherwise stop or reboot every later boot
 * too. A retained one is refused for the same reason. Anything refused is answered on the log topic.
 */
import { Session } from "../mqtt/session"
import { DeviceLog } from "./device-log"
import { StatusKeeper } from "./status-keeper"
import { Topics } from "./topics"

export class DeviceCommands {
    /** A planned reboot was asked: main.ts resets the board once the session has stopped. */
    rebootAsked = false

    constructor(
        private readonly session: Session,
        private readonly topics: Topics,
        filter: string,
        private readonly boot: string,
        private readonly status: StatusKeeper,
        private readonly log: DeviceLog,
    ) {
        const self = this
        session.subscribe(filter, 1, (t, p, retain) => self.received(t, p, retain))
    }

    /** In the connection fiber: notes or starts what is asked; publishing and stopping are non-blocking. */
    private received(topic: string, payload: Buffer, retain: boolean) {
        const t = this.topics
        if (topic === t.rebirth) return this.status.rebirth()
        const reboot = topic === t.reboot
        if (!reboot && topic !== t.stop)
            return this.log.say("warn", "cmd", `unknown command ${topic}: the device knows rebirth, stop, reboot`, true)
        if (retain || payload.length !== this.boot.length || payload.toString() !== this.boot)
            return this.log.say(
                "warn",
                "cmd",
                `${topic} ignored: its payload must be this boot's id ${this.boot} (the boot field of telemetry), not retained`,
                true,
            )
        if (this.session.stopRequested) return
        this.rebootAsked = reboot
        console.log(`power: planned ${reboot ? "reboot" : "stop"}: offline status, DISCONNECT`)
        this.session.stop()
    }
}
