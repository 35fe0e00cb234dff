/**
 * `<prefix>/<device>/set/period_ms` (QoS 1): changes the telemetry period at run time, validated,
 * persisted in the PERIOD_MS setting, and answered on `<prefix>/<device>/log`.
 *
 * One at a time (issue 22): the message handler, in the connection fiber, only parses the command
 * and notes the newest valid value; this service's one fiber applies it, writes it (through the one
 * settings writer, settings-store.ts) and then answers. A burst coalesces to the latest value: 300
 * commands back to back cost a handful of writes and answers, never two flash operations at once,
 * and the last answer always names the value that is stored, so a reboot after it boots that value.
 * A refused command is answered at once (it touches no flash); while such answers wait in the
 * queue, a newer one replaces them (a burst of junk does not push readings out of the queue).
 */
import { writeSettingIfChanged } from "../settings-store"
import { Session } from "../mqtt/session"
import { Waker } from "../net/waker"
import { PERIOD_COMMAND_MAX_CHARS, parsePeriodCommand } from "./downlink"
import { DeviceLog } from "./device-log"
import { HaDiscovery } from "./ha-discovery"
import { TelemetryPublisher } from "./publisher"

export class PeriodCommands {
    /** The newest valid period not yet applied; 0: none. */
    private wanted = 0
    private readonly work = new Waker()

    constructor(
        session: Session,
        topic: string,
        private readonly publisher: TelemetryPublisher,
        private readonly discovery: HaDiscovery,
        private readonly log: DeviceLog,
    ) {
        const self = this
        session.subscribe(topic, 1, (t, payload) => self.received(payload))
    }

    private received(payload: Buffer) {
        // Only what a command can hold becomes text: a 1 KB payload (the most the device accepts)
        // would otherwise take a second 1 KB block of the heap, at once, for its text.
        const head =
            payload.length > PERIOD_COMMAND_MAX_CHARS ? payload.slice(0, PERIOD_COMMAND_MAX_CHARS + 1) : payload
        const cmd = parsePeriodCommand(head.toString("utf-8"))
        if (!cmd.ok) return this.log.say("error", "downlink", cmd.message, true)
        this.wanted = cmd.periodMs
        this.work.notify()
    }

    async run(): Promise<void> {
        for (;;) {
            if (this.wanted === 0) await this.work.wait()
            const v = this.wanted
            if (v === 0) continue
            this.wanted = 0
            this.publisher.setPeriod(v)
            if (this.discovery) {
                this.discovery.periodMs = v
                this.discovery.refresh()
            }
            await writeSettingIfChanged("PERIOD_MS", v)
            // A newer value already waiting is answered instead of this one.
            if (this.wanted === 0) this.log.say("info", "downlink", `period_ms set to ${v}`, false)
        }
    }
}
