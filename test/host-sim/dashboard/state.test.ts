/**
 * The dashboard's model (host-sim/dashboard/state.ts and its helpers): what each topic is, which
 * boot a reading belongs to, the loss ledger per (boot, seq), and bad input shown as such.
 */
import { describe, expect, test } from "vitest"
import { BootTracker } from "../../../host-sim/dashboard/boot-tracker.ts"
import { DashboardState, type Message } from "../../../host-sim/dashboard/state.ts"
import { topicShape } from "../../../host-sim/dashboard/topic-shape.ts"
import { HA_STATUS_TOPIC, topicsFor } from "../../../firmware/telemetry/topics.ts"

const T0 = 1_700_000_000_000
let clock = T0
const msg = (topic: string, payload: unknown, retain = false): Message => ({
    topic,
    payload: Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)),
    retain,
    atMs: (clock += 1000),
})
const reading = (seq: number, uptime: number, extra: object = {}) =>
    msg("devs/a/telemetry", { seq, uptime_ms: uptime, temperature: 20 + seq / 10, ...extra })

describe("topic shapes", () => {
    test.each([
        ["devs/a/telemetry", { kind: "telemetry", device: "a" }],
        ["devs/a/status", { kind: "status", device: "a" }],
        ["devs/a/diagnostics", { kind: "diagnostics", device: "a" }],
        ["devs/a/log", { kind: "log", device: "a" }],
        ["devs/a/set/period_ms", { kind: "setPeriod", device: "a" }],
        ["devs/a/cmd/rebirth", { kind: "rebirth", device: "a" }],
        ["devs/a/time/req", { kind: "timeReq", device: "a" }],
        ["devs/a/time/resp", { kind: "timeResp", device: "a" }],
        ["homeassistant/status", { kind: "ha_status" }],
        [
            "homeassistant/sensor/a/temperature/config",
            { kind: "discovery", device: "a", component: "sensor", key: "temperature" },
        ],
        ["devs/a/telemetry/extra", { kind: "unknown" }],
        ["devs/a", { kind: "unknown" }],
        ["other/a/telemetry", { kind: "unknown" }],
        ["homeassistant/sensor/a/config", { kind: "unknown" }],
    ])("%s", (topic, shape) => expect(topicShape(topic, "devs")).toEqual(shape))

    test("every topic of the firmware's topicsFor is known, none an unknown shape (issue 28)", () => {
        for (const [key, topic] of Object.entries(topicsFor("devs", "sim1")))
            expect(topicShape(topic, "devs"), `${key}: ${topic}`).toEqual({ kind: key, device: "sim1" })
        expect(topicShape(HA_STATUS_TOPIC, "devs").kind).not.toBe("unknown")
    })

    test("a fresh device's time sync and rebirth raise no bad-input event and no unknown topic", () => {
        const s = new DashboardState("devs", "mqtt://x")
        const t = topicsFor("devs", "sim1")
        for (const topic of [t.timeReq, t.timeResp, t.rebirth, HA_STATUS_TOPIC]) s.ingest(msg(topic, "{}"))
        expect(s.events.filter(e => e.kind === "bad-input")).toEqual([])
        expect(s.unknown.size).toBe(0)
    })
})

describe("boot identity", () => {
    test("a `boot` field is the boot", () => {
        const b = new BootTracker()
        expect(b.bootOf("7f3a", 1, 100)).toBe("7f3a")
        expect(b.bootOf(12345, 1, 100)).toBe("12345")
    })
    test("without one, a reading whose uptime cannot follow the boot's sequence starts a new boot", () => {
        const b = new BootTracker()
        expect([b.bootOf(undefined, 1, 1000), b.bootOf(undefined, 2, 2000), b.bootOf(undefined, 3, 2000)]).toEqual([
            "#1",
            "#1",
            "#1",
        ])
        expect(b.bootOf(undefined, 1, 900)).toBe("#2")
    })
    test("a resend is the same boot; a late reading that fits between its neighbours too", () => {
        const b = new BootTracker()
        for (const [s, u] of [
            [1, 1000],
            [2, 2000],
            [4, 4000],
        ])
            b.bootOf(undefined, s, u)
        expect(b.bootOf(undefined, 2, 2000)).toBe("#1")
        expect(b.bootOf(undefined, 3, 3000)).toBe("#1")
        expect(b.bootOf(undefined, 5, 5000)).toBe("#1")
    })
})

describe("the dashboard state", () => {
    test("a gap is counted per (boot, seq) and explained by the drops the device reports", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        for (const [seq, up] of [
            [1, 1000],
            [2, 2000],
            [6, 6000],
            [7, 7000],
        ])
            s.ingest(reading(seq, up))
        s.ingest(reading(2, 2000))
        let l = s.devices.get("a")!.ledger()
        expect(l).toMatchObject({
            received: 5,
            duplicates: 1,
            gaps: 1,
            missing: 3,
            droppedTotal: 0,
            unexplained: 3,
            reboots: 0,
        })
        s.ingest(msg("devs/a/diagnostics", { mqtt: { reconnects: 1, readings_dropped: { queue_full: 3 } } }))
        l = s.devices.get("a")!.ledger()
        expect(l).toMatchObject({ missing: 3, dropped: { queue_full: 3 }, droppedTotal: 3, unexplained: 0 })
    })

    test("a reboot whose diagnostics (sent at CONNACK) arrive before its first reading is still an event (issue 28)", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.ingest(reading(1, 1000, { boot: "b1" }))
        s.ingest(reading(2, 2000, { boot: "b1" }))
        s.ingest(msg("devs/a/diagnostics", { boot: "b2", uptime_ms: 300, mqtt: { readings_dropped: {} } }))
        s.ingest(reading(1, 800, { boot: "b2" }))
        expect(s.events.filter(e => e.kind === "reboot").map(e => e.text)).toEqual([
            "rebooted: boot b2 starts at seq 1",
        ])
        expect(s.devices.get("a")!.ledger()).toMatchObject({ reboots: 1, boots: 2 })
        // The boot's second reading is no second reboot.
        s.ingest(reading(2, 1800, { boot: "b2" }))
        expect(s.events.filter(e => e.kind === "reboot")).toHaveLength(1)
    })

    test("the period shown is the set one (configured, or the device's answer to a downlink), not the measured jitter", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.ingest(reading(1, 1000))
        s.ingest(reading(2, 1501))
        // Measured only: shown as such (the page marks it "≈").
        expect(s.devices.get("a")!.view()).toMatchObject({ periodMs: 501, periodSet: false })
        s.configuredPeriod("a", 500)
        s.ingest(reading(3, 2000))
        expect(s.devices.get("a")!.view()).toMatchObject({ periodMs: 500, periodSet: true })
        s.ingest(msg("devs/a/log", { level: "info", msg: "period_ms set to 2000" }))
        s.ingest(reading(4, 2499))
        expect(s.devices.get("a")!.view()).toMatchObject({ periodMs: 2000, periodSet: true })
        // A rejected value changes nothing.
        s.ingest(
            msg("devs/a/log", { level: "error", msg: "rejected period_ms 'abc': expected an integer in 100..3600000" }),
        )
        expect(s.devices.get("a")!.view().periodMs).toBe(2000)
    })

    test("a reboot is an event and a new boot; its seq restarting is no gap", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        for (const [seq, up] of [
            [1, 1000],
            [2, 2000],
            [1, 800],
            [2, 1800],
        ])
            s.ingest(reading(seq, up))
        expect(s.devices.get("a")!.ledger()).toMatchObject({ received: 4, gaps: 0, reboots: 1, boots: 2 })
        expect(s.events.map(e => e.kind)).toContain("reboot")
        const pts = s.drain(clock).points
        expect(pts.map(p => [p.boot, p.seq])).toEqual([
            ["#1", 1],
            ["#1", 2],
            ["#2", 1],
            ["#2", 2],
        ])
    })

    test("chart points use ts when the reading has it, else the arrival time", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.ingest(reading(1, 1000, { ts: T0 - 5000, boot: "b1" }))
        const m = reading(2, 2000)
        s.ingest(m)
        const pts = s.drain(clock).points
        expect(pts.map(p => p.t)).toEqual([T0 - 5000, m.atMs])
        expect(pts[0].boot).toBe("b1")
    })

    test("status, Will, sensor failures and downlink answers are events", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.ingest(msg("devs/a/status", "online", true))
        s.ingest(reading(1, 1000, { status: { humidity: { status: "failed", error: "not_found", age_ms: -1 } } }))
        s.ingest(reading(2, 2000))
        s.ingest(msg("devs/a/status", "offline"))
        s.ingest(msg("devs/a/log", { level: "error", msg: "rejected period_ms 'x'" }))
        expect(s.events.map(e => `${e.kind}: ${e.text}`)).toEqual([
            "connect: online (retained)",
            "sensor: sensor humidity failed (not_found)",
            "sensor: sensor humidity ok again",
            "offline: offline: its Will (connection lost) or a planned stop",
            "downlink: answer: rejected period_ms 'x'",
        ])
        expect(s.devices.get("a")!.status).toBe("offline")
    })

    test("a payload that is not JSON and a topic of unknown shape are shown as such, never thrown", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        expect(() => {
            s.ingest(msg("devs/a/telemetry", "not json {"))
            s.ingest(msg("devs/a/diagnostics", "[1,2]"))
            s.ingest(msg("devs/a/status", "maybe"))
            s.ingest(msg("devs/a/whatever/deep", "x"))
            s.ingest(msg("homeassistant/sensor/a/t/config", "{bad"))
            s.ingest(msg("devs/a/telemetry", { uptime_ms: 1 }))
        }).not.toThrow()
        expect(s.devices.get("a")!.badPayloads).toBe(5)
        expect(s.events.filter(e => e.kind === "bad-input").map(e => e.text)).toEqual([
            'telemetry is not a JSON object: "not json {"',
            'diagnostics is not a JSON object: "[1,2]"',
            'status is neither online nor offline: "maybe"',
            "unknown topic shape: devs/a/whatever/deep",
            'discovery config is not a JSON object: "{bad"',
            "telemetry without a numeric seq",
        ])
        expect([...s.unknown.keys()]).toEqual(["devs/a/whatever/deep"])
    })

    test("discovery configs are listed; an empty retained config marks the entity removed", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.ingest(
            msg(
                "homeassistant/sensor/a/temperature/config",
                { name: "Temperature", unit_of_measurement: "°C", device_class: "temperature", expire_after: 15 },
                true,
            ),
        )
        s.ingest(msg("homeassistant/sensor/a/co2/config", "", true))
        expect(s.devices.get("a")!.view().discovery).toEqual([
            {
                key: "temperature",
                component: "sensor",
                name: "Temperature",
                unit: "°C",
                deviceClass: "temperature",
                expireAfterS: 15,
                removed: false,
            },
            {
                key: "co2",
                component: "sensor",
                name: "co2",
                unit: "",
                deviceClass: "",
                expireAfterS: null,
                removed: true,
            },
        ])
    })

    test("discovery under the board's id (issue 29) is listed with the device its config names; the old layout's removals before it do not hide it", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.ingest(msg("homeassistant/sensor/a/temperature/config", "", true))
        s.ingest(
            msg(
                "homeassistant/sensor/devs_d5e7000100c0ffee/temperature/config",
                {
                    name: "Temperature",
                    unit_of_measurement: "°C",
                    device: { identifiers: ["devs_d5e7000100c0ffee"], name: "a" },
                },
                true,
            ),
        )
        s.ingest(msg("homeassistant/sensor/devs_d5e7000100c0ffee/co2/config", "", true))
        expect([...s.devices.keys()]).toEqual(["a"])
        const d = s.devices.get("a")!.view().discovery
        expect(d.map(e => [e.key, e.removed])).toEqual([
            ["temperature", false],
            ["co2", true],
        ])
    })

    test("a device whose readings stop while the dashboard listens is sent as silent, in verify's words, without a message of its own (issue 23)", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.setBroker("connected", "", clock)
        // Readings one second apart (msg() steps the clock by 1 s, uptime by 1 s too).
        for (let i = 1; i <= 5; i++) s.ingest(reading(i, i * 1000))
        const lastAtMs = clock
        expect(s.drain(clock).devices[0].ledger.silence).toBe("")
        // 31 s later (the bound for a 1 s period is 1 s + 30 s): still not silent, and nothing to send.
        expect(s.drain(lastAtMs + 31_000).devices).toEqual([])
        const d = s.drain(lastAtMs + 31_001).devices
        expect(d.map(v => [v.name, v.ledger.silence])).toEqual([
            ["a", `SILENT since ${new Date(lastAtMs).toISOString()} (≈ 31 readings expected at its period of 1000 ms)`],
        ])
        // A reading again: no longer silent.
        s.ingest(reading(6, 6000))
        expect(s.drain(clock).devices[0].ledger.silence).toBe("")
    })

    test("time the dashboard's own broker link was down is a hole in its observation, not a device's silence", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        s.setBroker("connected", "", clock)
        for (let i = 1; i <= 5; i++) s.ingest(reading(i, i * 1000))
        const lastAtMs = clock
        s.setBroker("reconnecting", "the connection to the broker was lost", lastAtMs + 1000)
        s.setBroker("connected", "", lastAtMs + 21_000)
        expect(s.holes).toEqual([{ fromMs: lastAtMs + 1000, toMs: lastAtMs + 21_000 }])
        // 40 s since the last reading, 20 of them observed: not silent.
        expect(s.drain(lastAtMs + 40_000).devices.map(v => v.ledger.silence)).toEqual([""])
        expect(s.drain(lastAtMs + 51_001).devices.map(v => v.ledger.silence)).toEqual([
            `SILENT since ${new Date(lastAtMs).toISOString()} (≈ 31 readings expected at its period of 1000 ms)`,
        ])
    })

    test("points older than the window are forgotten", () => {
        const s = new DashboardState("devs", "mqtt://x:1", { windowMs: 10_000 })
        for (let i = 1; i <= 30; i++) s.ingest(reading(i, i * 1000))
        expect(s.snapshot(clock).points.length).toBeLessThanOrEqual(11)
    })
})

describe("units", () => {
    test("the snapshot gives the page the payload unit of every quantity, from the firmware's one table", () => {
        const s = new DashboardState("devs", "mqtt://x:1")
        expect(s.snapshot(clock).units).toEqual({
            temperature: "°C",
            humidity: "%RH",
            pressure: "hPa",
            illuminance: "lx",
            co2: "ppm",
        })
    })
})
