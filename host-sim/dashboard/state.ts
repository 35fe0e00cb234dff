/**
 * The dashboard's model of what the broker delivered: every device seen under
 * the prefix (device-state.ts), chart points for the last 15 minutes, an event
 * log, the topics it could not place, and the broker link. `ingest()` never
 * throws: a payload that is not JSON or a topic of an unknown shape becomes an
 * event on the page. `drain()` hands the feed what changed since the last call,
 * a device that went silent (or spoke again) included. The broker link's losses
 * are holes in the dashboard's own observation (ledger.ts), not a device's
 * silence. Pure: the caller passes arrival times.
 */
import { QUANTITIES } from "../../firmware/telemetry/quantities.ts"
import type { Hole, Observation } from "../ledger/ledger.ts"
import { DeviceState, isQuantity, type DeviceView } from "./device-state.ts"
import { topicShape } from "./topic-shape.ts"

export const STATE_DEFAULTS = {
    /** Chart window (issue 11: the last 15 minutes). */
    windowMs: 15 * 60_000,
    maxEvents: 500,
    maxUnknownTopics: 100,
    /** Characters of a bad payload quoted on the page. */
    quoteChars: 80,
}

export interface Message {
    topic: string
    payload: Buffer
    retain: boolean
    atMs: number
}

/** One reading on a chart: time (ts when the reading has it, else arrival), value, and its (boot, seq) for gaps. */
export interface Point {
    q: string
    device: string
    t: number
    v: number
    boot: string
    seq: number
}

export type EventKind = "connect" | "offline" | "reboot" | "sensor" | "downlink" | "bad-input" | "broker" | "control"

export interface DashEvent {
    atMs: number
    kind: EventKind
    device: string
    text: string
    level: "info" | "warn" | "error"
}

export interface BrokerLinkState {
    url: string
    state: "connecting" | "connected" | "reconnecting" | "unreachable"
    error: string
    sinceMs: number
}

export interface UnknownTopic {
    topic: string
    count: number
    lastAtMs: number
    preview: string
}

export interface Delta {
    devices: DeviceView[]
    points: Point[]
    events: DashEvent[]
    unknown: UnknownTopic[]
    broker: BrokerLinkState | null
}

export class DashboardState {
    readonly devices = new Map<string, DeviceState>()
    readonly points: Point[] = []
    readonly events: DashEvent[] = []
    readonly unknown = new Map<string, UnknownTopic>()
    broker: BrokerLinkState
    /** When the link was first connected (0: never), and the holes since: the dashboard's own observation. */
    observedFromMs = 0
    readonly holes: Hole[] = []
    private dirty = new Set<string>()
    /** The silence each device's last view carried, so a change of it is sent without a message. */
    private silenceSent = new Map<string, string>()
    /** Discovery node (`devs_<id>`) → device name, from the configs' `device.name`. */
    private nodeNames = new Map<string, string>()
    private newPoints: Point[] = []
    private newEvents: DashEvent[] = []
    private unknownDirty = false
    private brokerDirty = false
    private readonly o: typeof STATE_DEFAULTS

    constructor(
        readonly prefix: string,
        brokerUrl: string,
        options: Partial<typeof STATE_DEFAULTS> = {},
    ) {
        this.o = { ...STATE_DEFAULTS, ...options }
        this.broker = { url: brokerUrl, state: "connecting", error: "", sinceMs: 0 }
    }

    /** A device's configured period, from whoever started it (the simulator's PERIOD_MS), until it answers a downlink. */
    configuredPeriod(device: string, periodMs: number): void {
        this.device(device).setPeriodMs = periodMs
        this.dirty.add(device)
    }

    ingest(m: Message): void {
        const shape = topicShape(m.topic, this.prefix)
        if (shape.kind === "unknown") return this.unknownTopic(m)
        // Home Assistant's birth and will: for the devices (they publish discovery again), nothing to show.
        if (shape.kind === "ha_status") return
        const dev = this.device(shape.kind === "discovery" ? this.discoveryDevice(shape.device, m) : shape.device)
        dev.seen(m.atMs, m.retain)
        this.dirty.add(dev.name)
        const text = m.payload.toString("utf8")
        switch (shape.kind) {
            case "status":
                return this.status(dev, text, m)
            // Time sync (firmware/time/): routine traffic, shown by the clock-sync diagnostics.
            case "timeReq":
            case "timeResp":
                return
            case "rebirth":
                return this.event(m.atMs, "downlink", dev.name, "rebirth requested")
            case "stop":
            case "reboot":
                return this.event(m.atMs, "downlink", dev.name, `planned ${shape.kind} requested`)
            case "setPeriod":
                return this.event(
                    m.atMs,
                    "downlink",
                    dev.name,
                    `period downlink sent: ${quote(text, this.o.quoteChars)}`,
                )
            case "discovery":
                return this.discovery(dev, shape.component, shape.key, text, m)
        }
        const json = this.parse(dev, shape.kind, text, m.atMs)
        if (!json) return
        if (shape.kind === "telemetry") this.telemetry(dev, json, m.atMs)
        else if (shape.kind === "diagnostics") dev.diagnosticsMessage(json, m.atMs)
        else {
            const level = json.level === "error" ? "error" : "info"
            // The device's answer to a period downlink (firmware/telemetry/period-downlink.ts) is its set period.
            const set = level === "info" ? /^period_ms set to (\d+)$/.exec(String(json.msg ?? "")) : null
            if (set) dev.setPeriodMs = Number(set[1])
            this.event(m.atMs, "downlink", dev.name, `answer: ${String(json.msg ?? text)}`, level)
        }
    }

    event(atMs: number, kind: EventKind, device: string, text: string, level: DashEvent["level"] = "info"): void {
        const e = { atMs, kind, device, text, level }
        this.events.push(e)
        if (this.events.length > this.o.maxEvents) this.events.shift()
        this.newEvents.push(e)
    }

    setBroker(state: BrokerLinkState["state"], error: string, atMs: number): void {
        if (state === this.broker.state && error === this.broker.error) return
        const last = this.holes[this.holes.length - 1]
        if (state === "connected") {
            if (!this.observedFromMs) this.observedFromMs = atMs
            if (last && last.toMs === undefined) last.toMs = atMs
        } else if (this.broker.state === "connected") this.holes.push({ fromMs: atMs })
        this.broker = { ...this.broker, state, error, sinceMs: atMs }
        this.brokerDirty = true
        const text = state === "connected" ? `connected to ${this.broker.url}` : `${state}: ${error || this.broker.url}`
        this.event(atMs, "broker", "", text, state === "connected" ? "info" : "error")
    }

    /** What the dashboard observed up to `nowMs` (nothing before its first connection). */
    observation(nowMs: number): Observation | undefined {
        if (!this.observedFromMs) return undefined
        return { startMs: this.observedFromMs, endMs: nowMs, holes: this.holes }
    }

    /** What changed since the last drain; points older than the window are forgotten. */
    drain(nowMs: number): Delta {
        this.prune(nowMs)
        const o = this.observation(nowMs)
        for (const [name, dev] of this.devices)
            if ((this.silenceSent.get(name) ?? "") !== dev.silence(o)) this.dirty.add(name)
        const devices = [...this.dirty].map(n => this.devices.get(n)!.view(o))
        for (const v of devices) this.silenceSent.set(v.name, v.ledger.silence)
        const d: Delta = {
            devices,
            points: this.newPoints,
            events: this.newEvents,
            unknown: this.unknownDirty ? [...this.unknown.values()] : [],
            broker: this.brokerDirty ? this.broker : null,
        }
        this.dirty.clear()
        this.newPoints = []
        this.newEvents = []
        this.unknownDirty = this.brokerDirty = false
        return d
    }

    /** Everything, for a page that just connected. */
    snapshot(nowMs: number) {
        this.prune(nowMs)
        return {
            prefix: this.prefix,
            windowMs: this.o.windowMs,
            /** Quantity -> unit, from the firmware's table, for the chart titles. */
            units: Object.fromEntries(QUANTITIES.map(q => [q.key, q.unit])),
            broker: this.broker,
            devices: [...this.devices.values()].map(d => d.view(this.observation(nowMs))),
            points: this.points,
            events: this.events,
            unknown: [...this.unknown.values()],
        }
    }

    private device(name: string): DeviceState {
        let d = this.devices.get(name)
        if (!d) this.devices.set(name, (d = new DeviceState(name)))
        return d
    }

    private status(dev: DeviceState, text: string, m: Message) {
        const was = dev.status
        if (text !== "online" && text !== "offline") {
            dev.badPayloads++
            return this.event(
                m.atMs,
                "bad-input",
                dev.name,
                `status is neither online nor offline: ${quote(text, this.o.quoteChars)}`,
                "warn",
            )
        }
        dev.status = text
        dev.statusAtMs = m.atMs
        const retained = m.retain ? " (retained)" : ""
        if (text === "online" && was !== "online") this.event(m.atMs, "connect", dev.name, `online${retained}`)
        if (text === "offline" && was !== "offline")
            this.event(
                m.atMs,
                "offline",
                dev.name,
                `offline${retained}: its Will (connection lost) or a planned stop`,
                "warn",
            )
    }

    private telemetry(dev: DeviceState, p: Record<string, unknown>, atMs: number) {
        if (typeof p.seq !== "number") {
            dev.badPayloads++
            return this.event(atMs, "bad-input", dev.name, "telemetry without a numeric seq", "warn")
        }
        const r = dev.telemetry(p, atMs)
        if (r.reboot) this.event(atMs, "reboot", dev.name, `rebooted: boot ${r.boot} starts at seq ${r.seq}`, "warn")
        for (const c of r.sensorChanges)
            this.event(
                atMs,
                "sensor",
                dev.name,
                c.to === "ok" ? `sensor ${c.sensor} ok again` : `sensor ${c.sensor} ${c.to} (${c.error})`,
                c.to === "ok" ? "info" : "warn",
            )
        if (r.duplicate) return
        const t = typeof p.ts === "number" && isFinite(p.ts) ? p.ts : atMs
        for (const [q, v] of Object.entries(p)) {
            if (!isQuantity(q) || typeof v !== "number" || !isFinite(v)) continue
            const pt = { q, device: dev.name, t, v, boot: r.boot, seq: r.seq }
            this.points.push(pt)
            this.newPoints.push(pt)
        }
    }

    /**
     * The device a discovery topic's node belongs to: since issue 29 the node is the board's id
     * (`devs_<id>`) and the config's `device.name` is the device's name; an empty config (a removal)
     * goes to the device its node last named, or to the node itself (the layout before issue 29).
     */
    private discoveryDevice(node: string, m: Message): string {
        if (m.payload.length > 0) {
            try {
                const name = JSON.parse(m.payload.toString("utf8"))?.device?.name
                if (typeof name === "string" && name) this.nodeNames.set(node, name)
            } catch {
                // reported as a bad discovery config by discovery()
            }
        }
        return this.nodeNames.get(node) ?? node
    }

    private discovery(dev: DeviceState, component: string, key: string, text: string, m: Message) {
        if (text === "") {
            const e = dev.discovery.get(key)
            dev.discovery.set(key, {
                key,
                component,
                name: e?.name ?? key,
                unit: e?.unit ?? "",
                deviceClass: e?.deviceClass ?? "",
                expireAfterS: null,
                removed: true,
            })
            return
        }
        const c = this.parse(dev, "discovery config", text, m.atMs)
        if (!c) return
        dev.discovery.set(key, {
            key,
            component,
            name: String(c.name ?? key),
            unit: String(c.unit_of_measurement ?? ""),
            deviceClass: String(c.device_class ?? ""),
            expireAfterS: typeof c.expire_after === "number" ? c.expire_after : null,
            removed: false,
        })
    }

    private parse(dev: DeviceState, what: string, text: string, atMs: number): Record<string, unknown> | null {
        try {
            const v = JSON.parse(text)
            if (v && typeof v === "object" && !Array.isArray(v)) return v
        } catch {
            // reported below
        }
        dev.badPayloads++
        this.event(
            atMs,
            "bad-input",
            dev.name,
            `${what} is not a JSON object: ${quote(text, this.o.quoteChars)}`,
            "warn",
        )
        return null
    }

    private unknownTopic(m: Message) {
        let u = this.unknown.get(m.topic)
        if (!u) {
            if (this.unknown.size >= this.o.maxUnknownTopics) return
            this.unknown.set(m.topic, (u = { topic: m.topic, count: 0, lastAtMs: 0, preview: "" }))
            this.event(m.atMs, "bad-input", "", `unknown topic shape: ${m.topic}`, "warn")
        }
        u.count++
        u.lastAtMs = m.atMs
        u.preview = quote(m.payload.toString("utf8"), this.o.quoteChars)
        this.unknownDirty = true
    }

    private prune(nowMs: number) {
        const from = nowMs - this.o.windowMs
        let i = 0
        while (i < this.points.length && this.points[i].t < from) i++
        if (i) this.points.splice(0, i)
    }
}

function quote(text: string, max: number): string {
    const t = text.length > max ? text.slice(0, max) + "…" : text
    return JSON.stringify(t)
}
