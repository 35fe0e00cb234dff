/**
 * `<prefix>/<device>/set/period_ms` (QoS 1): changes the telemetry period at
 * run time, validated, persisted in the PERIOD_MS setting, and answered on
 * `<prefix>/<device>/log`. A burst of commands costs at most one write per
 * distinct value, one at a time, and none for a value already stored.
 */
import { writeSettingIfChanged } from "../settings-store"
import { Session } from "../mqtt/session"
import { PERIOD_COMMAND_MAX_CHARS, parsePeriodCommand } from "./downlink"
import { DeviceLog } from "./device-log"
import { HaDiscovery } from "./ha-discovery"
import { TelemetryPublisher } from "./publisher"
import { Topics } from "./topics"

export function startPeriodDownlink(
    session: Session,
    topics: Topics,
    publisher: TelemetryPublisher,
    discovery: HaDiscovery,
    deviceLog: DeviceLog,
) {
    const log = (level: string, msg: string) => deviceLog.say(level, "downlink", msg)
    let wanted = 0
    let writing = false
    const persist = async () => {
        writing = true
        let written = -1
        while (written !== wanted) {
            written = wanted
            await writeSettingIfChanged("PERIOD_MS", written)
        }
        writing = false
    }
    session.subscribe(topics.setPeriod, 1, (topic, payload) => {
        // Only what a command can hold becomes text: a 1 KB payload (the most the device accepts)
        // would otherwise take a second 1 KB block of the heap, at once, for its text.
        const head =
            payload.length > PERIOD_COMMAND_MAX_CHARS ? payload.slice(0, PERIOD_COMMAND_MAX_CHARS + 1) : payload
        const cmd = parsePeriodCommand(head.toString("utf-8"))
        if (!cmd.ok) return log("error", cmd.message)
        publisher.setPeriod(cmd.periodMs)
        if (discovery) {
            discovery.periodMs = cmd.periodMs
            discovery.refresh()
        }
        log("info", cmd.message)
        wanted = cmd.periodMs
        if (!writing) persist.start()
    })
}
