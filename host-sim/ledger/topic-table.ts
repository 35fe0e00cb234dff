/**
 * The one table of topics the host side recognises, derived from the firmware's own list
 * (firmware/telemetry/topics.ts `topicsFor`, README "Topics"): the dashboard, the terminal view,
 * the ledger behind `verify` all read topics through here, so a topic the firmware gains cannot be
 * forgotten in one of them (issue 28: `time/req` was "unknown topic shape" on every dashboard). Pure.
 */
import { HA_STATUS_TOPIC, topicsFor, type Topics } from "../../firmware/telemetry/topics.ts"

/** What a `<prefix>/<device>/...` topic is: the key of `Topics` the firmware names it by. */
export type DeviceTopicKind = keyof Topics

const P = "p"
const D = "d"
const BASE = `${P}/${D}/`

/** The part after `<prefix>/<device>/` → its kind, for every topic of `topicsFor`. */
export const DEVICE_TOPIC_KINDS: ReadonlyMap<string, DeviceTopicKind> = new Map(
    (Object.entries(topicsFor(P, D)) as [DeviceTopicKind, string][]).map(([kind, topic]) => {
        if (!topic.startsWith(BASE)) throw new Error(`topicsFor: ${topic} is not under <prefix>/<device>/`)
        return [topic.slice(BASE.length), kind]
    }),
)

/** Home Assistant's birth and will topic, which the devices subscribe to (not under the prefix). */
export { HA_STATUS_TOPIC }

/** The device and kind of a `<prefix>/<device>/<kind>` topic of the firmware's list; null for anything else. */
export function deviceTopic(topic: string, prefix: string): { device: string; kind: DeviceTopicKind } | null {
    if (!topic.startsWith(prefix + "/")) return null
    const rest = topic.slice(prefix.length + 1)
    const slash = rest.indexOf("/")
    if (slash <= 0) return null
    const kind = DEVICE_TOPIC_KINDS.get(rest.slice(slash + 1))
    return kind ? { device: rest.slice(0, slash), kind } : null
}
