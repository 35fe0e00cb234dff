/**
 * What a topic the dashboard receives is, by the topic contract (README "Topics",
 * firmware/telemetry/topics.ts, through host-sim/ledger/topic-table.ts): `<prefix>/<device>/<kind>`,
 * Home Assistant's `homeassistant/status` and `homeassistant/<component>/<node>/<object>/config`.
 * Anything else is "unknown" and shown as such. Pure.
 */
import { HA_PREFIX } from "../../firmware/telemetry/topics.ts"
import { HA_STATUS_TOPIC, deviceTopic, type DeviceTopicKind } from "../ledger/topic-table.ts"

export type TopicShape =
    | { kind: DeviceTopicKind; device: string }
    | { kind: "discovery"; device: string; component: string; key: string }
    | { kind: "ha_status" }
    | { kind: "unknown" }

export function topicShape(topic: string, prefix: string): TopicShape {
    if (topic === HA_STATUS_TOPIC) return { kind: "ha_status" }
    const parts = topic.split("/")
    if (parts[0] === HA_PREFIX && parts.length === 5 && parts[4] === "config" && parts.every(p => p.length > 0))
        return { kind: "discovery", component: parts[1], device: parts[2], key: parts[3] }
    return deviceTopic(topic, prefix) ?? { kind: "unknown" }
}
