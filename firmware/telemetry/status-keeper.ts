/**
 * Keeps what the broker says about this device true (issue 23), in one fiber:
 * - an `offline` that reaches the device's own status topic while it is connected (a stale Will a
 *   broker node published late, a wrong manual publish) is answered with `online` again, retained.
 *   Bounded: at most CORRECTIONS_PER_MINUTE a minute (several arriving together get one answer), so
 *   two devices with one name (each one's Will marking the other offline) cannot ping-pong; past the
 *   bound it says once a minute what is likely going on, on the log topic.
 *   A retained `offline` delivered when the subscription is made is not corrected: the birth
 *   message that follows every CONNACK already overwrites it;
 * - Home Assistant's birth (`homeassistant/status` = `online`, HA restarted) and a `rebirth` command
 *   (`<prefix>/<device>/cmd/rebirth`, any payload, received by commands.ts) bring discovery, status
 *   and a diagnostics report again.
 * The handlers run in the connection fiber and only note what is wanted; the publishing happens here.
 */
import { Session } from "../mqtt/session"
import { Waker } from "../net/waker"
import { DeviceLog } from "./device-log"
import { DiagnosticsReporter } from "./diagnostics-reporter"
import { HaDiscovery } from "./ha-discovery"
import { CORRECTIONS_PER_MINUTE, HA_STATUS_TOPIC, STATUS_ONLINE, Topics } from "./topics"

const MINUTE_MS = 60000

export class StatusKeeper {
    private correct = false
    private rebirthWanted = false
    private readonly work = new Waker()
    private warn = false
    private minuteStart = 0
    /** Wrong `offline`s seen since minuteStart. */
    private seen = 0

    constructor(
        private readonly session: Session,
        private readonly topics: Topics,
        private readonly discovery: HaDiscovery,
        private readonly diagnostics: DiagnosticsReporter,
        private readonly log: DeviceLog,
    ) {
        const self = this
        session.subscribe(topics.status, 0, (t, p, retain) => {
            if (!retain && p.length === 7 && p.toString() === "offline") self.offlineSeen()
        })
        if (discovery)
            session.subscribe(HA_STATUS_TOPIC, 0, (t, p, retain) => {
                if (!retain && p.length === 6 && p.toString() === STATUS_ONLINE) self.rebirth()
            })
    }

    /** In the connection fiber: counts the wrong `offline` against the bound and wakes the fiber. */
    private offlineSeen() {
        if (!this.session.isConnected()) return
        const now = this.session.rt.now()
        if (now - this.minuteStart >= MINUTE_MS) {
            this.minuteStart = now
            this.seen = 0
        }
        this.seen++
        if (this.seen <= CORRECTIONS_PER_MINUTE) this.correct = true
        else if (this.seen === CORRECTIONS_PER_MINUTE + 1) this.warn = true
        else return
        this.work.notify()
    }

    /** Discovery, status and diagnostics again: Home Assistant's birth, or `cmd/rebirth` (commands.ts). */
    rebirth() {
        this.rebirthWanted = true
        this.work.notify()
    }

    async run(): Promise<void> {
        for (;;) {
            if (!this.correct && !this.rebirthWanted && !this.warn) await this.work.wait()
            if (this.rebirthWanted) {
                this.rebirthWanted = false
                this.correct = false
                if (this.discovery) this.discovery.refresh()
                this.diagnostics.refresh()
                this.session.republishBirth()
                console.log("status: rebirth: status, discovery and diagnostics published again")
            }
            if (this.correct) {
                this.correct = false
                this.session.republishBirth()
                console.log("status: a wrong 'offline' on the status topic was answered with 'online'")
            }
            if (this.warn) {
                this.warn = false
                this.log.say(
                    "warn",
                    "status",
                    `'offline' keeps arriving on ${this.topics.status} while this device is connected: is a second device using this name?`,
                    true,
                )
            }
        }
    }
}
