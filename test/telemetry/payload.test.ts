import { describe, expect, test } from "vitest"
import { SessionStats } from "../../firmware/mqtt/stats.ts"
import { newStats } from "../../firmware/mqtt/stats.ts"
import { buildDiagnostics } from "../../firmware/telemetry/diagnostics.ts"
import { buildPayload } from "../../firmware/telemetry/payload.ts"
import type { Sensor } from "../../firmware/sensors/sensor.ts"

function sensor(name: string, status: string, error = "", lastGoodMs = 0): Sensor {
    return { name, quantities: [name], status, error, lastGoodMs, ready: async () => true, read: async () => {} }
}

describe("telemetry payload", () => {
    test("numbers only: NaN and infinities are left out, and every sensor that is not ok is explained", () => {
        const p = buildPayload(
            "a1b2c3d4e5f6",
            7,
            NaN,
            60_000,
            { temperature: 21.5, humidity: NaN, pressure: Infinity },
            [
                sensor("temperature", "ok"),
                sensor("humidity", "failed", "timeout", 50_000),
                sensor("pressure", "warning", "stuck", 59_000),
                sensor("co2", "failed", "not_found"),
            ],
        )
        expect(p).toEqual({
            boot: "a1b2c3d4e5f6",
            seq: 7,
            uptime_ms: 60_000,
            temperature: 21.5,
            status: {
                humidity: { status: "failed", error: "timeout", age_ms: 10_000 },
                pressure: { status: "warning", error: "stuck", age_ms: 1000 },
                co2: { status: "failed", error: "not_found", age_ms: -1 },
            },
        })
        expect(JSON.stringify(p)).not.toMatch(/null|NaN/)
    })

    test("no status object when everything is ok", () => {
        expect(buildPayload("b", 1, NaN, 5, { temperature: 20 }, [sensor("temperature", "ok")])).toEqual({
            boot: "b",
            seq: 1,
            uptime_ms: 5,
            temperature: 20,
        })
    })

    test("ts (Unix ms when read) only once the clock is known: a reading before the first sync has none, never a guess", () => {
        const synced = buildPayload("b", 2, 1_733_000_000_123, 5, {}, [])
        expect(JSON.stringify(synced)).toBe('{"boot":"b","seq":2,"ts":1733000000123,"uptime_ms":5}')
        expect("ts" in buildPayload("b", 1, NaN, 5, {}, [])).toBe(false)
    })
})

describe("diagnostics", () => {
    const base = {
        fw: "0.1.0",
        boot: "c0ffee000001",
        arch: "esp32",
        settingsWrites: 0,
        settingsRefused: 0,
        timeSyncs: 1,
        timeRttMs: 6,
        timeAccuracyMs: 4,
        timeRefused: 0,
        timeStepsBack: 0,
        subsRefused: [] as string[],
        readingsAcked: 0,
    }
    test("counters, sums and optional RSSI", () => {
        const stats: SessionStats = {
            ...newStats(),
            connects: 3,
            published: 10,
            acked: 9,
            drops: { queue_full: 2, expired: 1 },
            lastRttMs: 12,
        }
        const d = buildDiagnostics({
            ...base,
            uptimeMs: 1000,
            stats,
            queue: 4,
            queueBytes: 200,
            inflight: 1,
            rssi: NaN,
            readingsAcked: 7,
        })
        expect(d.mqtt).toMatchObject({
            connects: 3,
            reconnects: 2,
            published: 10,
            acked: 9,
            dropped: 3,
            queue: 4,
            queue_bytes: 200,
            inflight: 1,
            readings_acked: 7,
            rtt_ms: 12,
            inbound_dropped: {},
            subscribe_refusals: 0,
            subs_refused: [],
        })
        expect("rssi" in d).toBe(false)
        expect(
            buildDiagnostics({ ...base, uptimeMs: 1, stats, queue: 0, queueBytes: 0, inflight: 0, rssi: -61 }).rssi,
        ).toBe(-61)
    })

    test("boot, settings writes since boot and the time sync state", () => {
        const d = buildDiagnostics({
            ...base,
            uptimeMs: 1,
            stats: newStats(),
            queue: 0,
            queueBytes: 0,
            inflight: 0,
            rssi: NaN,
            settingsWrites: 2,
        })
        expect(d).toMatchObject({
            fw: "0.1.0",
            boot: "c0ffee000001",
            settings: { writes: 2, refused: 0 },
            time: { syncs: 1, rtt_ms: 6, accuracy_ms: 4, refused: 0, steps_back: 0 },
        })
    })
})
