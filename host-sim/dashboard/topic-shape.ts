/**
 * What a topic the dashboard receives is, by the topic contract (README "Topics",
 * firmware/telemetry/topics.ts): `<prefix>/<device>/<kind>` and
 * `homeassistant/<component>/<node>/<object>/config`. Anything else is "unknown"
 * and shown as such. Pure.
 */
import { HA_PREFIX } from "../../firmware/telemetry/topics.ts"

export type TopicShape =
    | { kind: "telemetry" | "status" | "diagnostics" | "log" | "set_period"; device: string }
    | { kind: "discovery"; device: string; component: string; key: string }
    | { kind: "unknown" }

const DEVICE_KINDS: Record<string, "telemetry" | "status" | "diagnostics" | "log" | "set_period"> = {
    telemetry: "telemetry",
    status: "status",
    diagnostics: "diagnostics",
    log: "log",
    "set/period_ms": "set_period",
}

export function topicShape(topic: string, prefix: string): TopicShape {
    const parts = topic.split("/")
    if (parts[0] === HA_PREFIX && parts.length === 5 && parts[4] === "config" && parts.every(p => p.length > 0))
        return { kind: "discovery", component: parts[1], device: parts[2], key: parts[3] }
    if (parts[0] !== prefix || parts.length < 3 || !parts[1]) return { kind: "unknown" }
    const kind = DEVICE_KINDS[parts.slice(2).join("/")]
    return kind ? { kind, device: parts[1] } : { kind: "unknown" }
}
