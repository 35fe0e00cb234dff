/**
 * What a newcomer to one node sees of the fleet's retained state: a fresh
 * clean-session client subscribes and collects the retained messages the node
 * sends back. Asked twice, because brokers differ: with wildcards
 * (`devs/+/status`, `homeassistant/#`, what a dashboard or Home Assistant
 * subscribes to) and with each device's exact status topic.
 */
import { brokerTarget, connectBroker } from "../../host-sim/link/broker-connect.ts"

/** Retained messages come right after the SUBACK; a node that has none sends nothing, so we wait this long. */
const COLLECT_MS = 2000

export interface RetainedView {
    /** Devices whose retained status (wildcard subscription) is "online". */
    online: number
    /** Devices whose retained status is "offline" (a Will or a planned stop) seen by the wildcard subscription. */
    offline: number
    /** Devices with at least one retained discovery config (homeassistant/#). */
    discovery: number
    /** Retained discovery configs in all (homeassistant/#). */
    configs: number
    /** Devices whose exact status topic (`devs/<name>/status`) returned a retained "online". */
    onlineExact: number
}

export async function retainedView(url: string, devices: string[], prefix = "devs"): Promise<RetainedView> {
    const wild = await collect(url, [`${prefix}/+/status`, "homeassistant/#"])
    const exact = await collect(
        url,
        devices.map(d => `${prefix}/${d}/status`),
    )
    const status = (m: Map<string, string>, d: string) => m.get(`${prefix}/${d}/status`)
    // Issue 29: a config's node is the board's id; the device it belongs to is its `device.name`.
    const discoveryOf = (d: string) =>
        [...wild.entries()].filter(([t, p]) => t.startsWith("homeassistant/") && p !== "" && configDevice(p) === d)
            .length
    return {
        online: devices.filter(d => status(wild, d) === "online").length,
        offline: devices.filter(d => status(wild, d) === "offline").length,
        discovery: devices.filter(d => discoveryOf(d) > 0).length,
        configs: devices.reduce((n, d) => n + discoveryOf(d), 0),
        onlineExact: devices.filter(d => status(exact, d) === "online").length,
    }
}

/** The `device.name` of a discovery config, or "" if it is not one. */
function configDevice(payload: string): string {
    try {
        const name = JSON.parse(payload)?.device?.name
        return typeof name === "string" ? name : ""
    } catch {
        return ""
    }
}

/** topic -> payload of the retained messages received within COLLECT_MS of subscribing. */
async function collect(url: string, filters: string[]): Promise<Map<string, string>> {
    const seen = new Map<string, string>()
    const c = await connectBroker(brokerTarget(url), {
        clientId: `devs-retained-${process.pid}-${Date.now() % 1e6}`,
        clean: true,
        timeoutMs: 10_000,
        setup: cl =>
            cl.on("message", (topic, payload, packet) => {
                if (packet.retain) seen.set(topic, payload.toString())
            }),
    })
    try {
        await c.subscribeAsync(filters, { qos: 1 })
        await new Promise(r => setTimeout(r, COLLECT_MS))
    } finally {
        await c.endAsync()
    }
    return seen
}
