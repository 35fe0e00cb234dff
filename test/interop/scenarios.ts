/**
 * The checklist's fault scenarios S1-S6 and S8-S10, each against one broker
 * through the fault-injection proxy. A scenario measures and returns its
 * table row(s) plus the expectations it saw broken; the test file decides
 * pass / fail / known broker limitation. Durations are as short as the fault
 * allows (see docs/interop.md for the reasons).
 */
import type { Observer } from "../../host-sim/ledger/observer.ts"
import { within } from "../../host-sim/cli/within.ts"
import type { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { S9_PASS, S9_USER } from "./brokers.ts"
import {
    count,
    deviceDiagnostics,
    maxSeq,
    seqAtLeast,
    sleep,
    telemetryDropCount,
    waitOnline,
    waitWill,
    willSince,
    type DiagMqtt,
    type Row,
    type WillSeen,
} from "./measure.ts"
import type { Rig } from "./rig.ts"

const CONNACK = 2
const PUBACK = 4
/** After the target seq arrived: time for late resends to show up as duplicates. */
const SETTLE_MS = 1500
/** How long a diagnostics report (every 2 s) may take to arrive after the window. */
const DIAG_WAIT_MS = 6000

export type Outcome = Omit<Row, "broker" | "status"> & {
    /** Expectations other than "nothing lost" that did not hold. */
    problems: string[]
}

export interface Window {
    vm: VmUnderTest
    t0: number
    faultAt: number
    /** "n.a." when the scenario says nothing about the Will. */
    willApplies: boolean
}

/** Waits until `more` further seqs arrived, settles, and turns what the observer has into a row. */
async function closeWindow(
    rig: Rig,
    w: Window,
    scenario: string,
    title: string,
    more: number,
    waitMs: number,
    notes: string[],
    problems: string[],
): Promise<Outcome> {
    const obs = rig.observer
    const name = w.vm.name
    try {
        await within(
            seqAtLeast(obs, name, maxSeq(obs, name) + more, waitMs + 1000),
            waitMs,
            `${more} more telemetry seqs from ${name}`,
        )
    } catch (e) {
        problems.push((e as Error).message)
    }
    await sleep(SETTLE_MS)
    const end = Date.now()
    const diag = await deviceDiagnostics(obs, name, end, DIAG_WAIT_MS)
    return outcome(obs, w, scenario, title, diag, notes, problems)
}

function outcome(
    obs: Observer,
    w: Window,
    scenario: string,
    title: string,
    diag: DiagMqtt | null,
    notes: string[],
    problems: string[],
): Outcome {
    const c = count(obs, w.vm.name)
    const counted = diag ? telemetryDropCount(diag.drops) : 0
    if (!diag && c.missing.length > 0) notes.push("no diagnostics report after the window: drops unknown")
    const dropped = Math.min(c.missing.length, counted)
    if (diag && counted > 0) notes.push(`device drops ${JSON.stringify(diag.drops)}`)
    if (c.missing.length - dropped > 0) notes.push(`missing seqs ${compact(c.missing)}`)
    const panics = w.vm.panics()
    if (panics.length > 0) problems.push(`VM panic: ${panics[0]}`)
    const will: WillSeen = !w.willApplies ? "n.a." : willSince(obs, w.vm.name, w.faultAt) ? "yes" : "no"
    return {
        scenario,
        title,
        sent: c.sent,
        delivered: c.delivered,
        dropped,
        lost: c.missing.length - dropped,
        duplicated: c.duplicated,
        will,
        notes,
        durationMs: Date.now() - w.t0,
        problems,
    }
}

/** 3,4,5,9 -> "3-5, 9" */
function compact(xs: number[]): string {
    const out: string[] = []
    for (let i = 0; i < xs.length;) {
        let j = i
        while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++
        out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`)
        i = j + 1
    }
    return out.length > 8 ? out.slice(0, 8).join(", ") + ", ..." : out.join(", ")
}

/** S5 downlink traffic: bursts of this many 600-byte QoS 1 PUBLISHes to the device. */
const DOWNLINK_BURST = 8
const DOWNLINK_BURSTS = 4

const s = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`)

function start(rig: Rig, settings: Parameters<Rig["vm"]>[0], willApplies: boolean): Window {
    const t0 = Date.now()
    return { vm: rig.vm(settings), t0, faultAt: t0, willApplies }
}

export async function s1BrokerRestart(rig: Rig): Promise<Outcome> {
    const w = start(rig, { PERIOD_MS: 200 }, false)
    await seqAtLeast(rig.observer, w.vm.name, 5, 30_000)
    w.faultAt = Date.now()
    await rig.b.broker.restart()
    const notes = [`restart took ${s(Date.now() - w.faultAt)}`]
    return closeWindow(rig, w, "S1", "broker restart mid-stream", 10, 60_000, notes, [])
}

export async function s2ResetBeforePuback(rig: Rig): Promise<Outcome> {
    const w = start(rig, { PERIOD_MS: 200 }, true)
    await seqAtLeast(rig.observer, w.vm.name, 3, 30_000)
    const p = rig.proxy
    const problems: string[] = []
    const reconnected = new Promise(r => p.once("connection", r))
    p.once("dropped", () => {
        w.faultAt = Date.now()
        p.reset()
    })
    p.dropNext = [PUBACK]
    try {
        await within(reconnected, 15_000, "the reconnection after the reset")
    } catch (e) {
        problems.push((e as Error).message)
    }
    return closeWindow(rig, w, "S2", "reset after PUBLISH, before PUBACK", 5, 30_000, [], problems)
}

export async function s3HalfOpen(rig: Rig): Promise<Outcome> {
    const w = start(rig, { PERIOD_MS: 500, KEEPALIVE_S: 2 }, true)
    const { vm } = w
    const obs = rig.observer
    await seqAtLeast(obs, vm.name, 2, 30_000)
    const problems: string[] = []
    const notes: string[] = ["keepalive 2 s"]
    w.faultAt = Date.now()
    rig.proxy.blackhole = "both"
    const detected = vm.waitForLine(/keepalive_timeout/, 20_000).then(() => Date.now())
    try {
        await waitWill(obs, vm.name, w.faultAt, 30_000)
        notes.push(`Will after ${s(Date.now() - w.faultAt)}`)
    } catch (e) {
        problems.push((e as Error).message)
    }
    try {
        notes.push(`device detected it after ${s((await detected) - w.faultAt)}`)
    } catch (e) {
        problems.push((e as Error).message)
    }
    rig.proxy.blackhole = "none"
    try {
        await waitOnline(obs, vm.name, w.faultAt, 30_000)
    } catch (e) {
        problems.push((e as Error).message)
    }
    if (!willSince(obs, vm.name, w.faultAt)) problems.push("the broker published no Will")
    return closeWindow(rig, w, "S3", "half-open link, both directions silent", 5, 30_000, notes, problems)
}

export async function s4DownstreamBlackhole(rig: Rig): Promise<Outcome> {
    const w = start(rig, { PERIOD_MS: 200, KEEPALIVE_S: 2 }, true)
    const { vm } = w
    await seqAtLeast(rig.observer, vm.name, 5, 30_000)
    const problems: string[] = []
    const notes: string[] = ["keepalive 2 s"]
    w.faultAt = Date.now()
    rig.proxy.blackhole = "down"
    try {
        await vm.waitForLine(/keepalive_timeout/, 20_000)
        notes.push(`device detected it after ${s(Date.now() - w.faultAt)} while streaming`)
    } catch (e) {
        problems.push((e as Error).message)
    }
    rig.proxy.blackhole = "none"
    return closeWindow(rig, w, "S4", "broker-to-device black hole while streaming", 10, 30_000, notes, problems)
}

export async function s5Slicer(rig: Rig): Promise<Outcome> {
    const p = rig.proxy
    p.sliceBytes = 1
    const w = start(rig, { PERIOD_MS: 200 }, true)
    const { vm } = w
    const obs = rig.observer
    await seqAtLeast(obs, vm.name, 10, 30_000)
    p.sliceBytes = 0
    p.sliceRandomMax = 1500
    const slices: number[] = []
    p.on("slice", (_o: number, n: number) => slices.push(n))
    // PUBACKs alone are 4 bytes: bursts of ~600-byte downlink PUBLISHes give the slicer packets to cut
    // across and coalesce. The device rejects each one (not a period) and answers on its log topic.
    const junk = " ".repeat(600) + "x"
    for (let burst = 0; burst < DOWNLINK_BURSTS; burst++) {
        await Promise.all(
            Array.from({ length: DOWNLINK_BURST }, () => obs.publish(`devs/${vm.name}/set/period_ms`, junk, 1)),
        )
        await sleep(200)
    }
    await seqAtLeast(obs, vm.name, maxSeq(obs, vm.name) + 10, 30_000)
    const problems: string[] = []
    const violations = vm.log.filter(l => /protocol violation/.test(l))
    if (violations.length > 0) problems.push(`protocol violation under slicing: ${violations[0]}`)
    const sentDown = DOWNLINK_BURSTS * DOWNLINK_BURST
    const handled = vm.log.filter(l => /downlink: rejected period_ms/.test(l)).length
    if (handled < sentDown) problems.push(`${handled} of ${sentDown} downlink messages reached the device`)
    const notes = [
        `10+ seqs at 1-byte slices, then ${slices.length} random slices of 1-${Math.max(0, ...slices)} bytes`,
        `${handled}/${sentDown} downlink PUBLISHes handled`,
    ]
    p.removeAllListeners("slice")
    p.sliceRandomMax = 0
    return closeWindow(rig, w, "S5", "1-byte slices, then random 1-1500 across packets", 3, 30_000, notes, problems)
}

/** Checklist S6: 2 s ± jitter and 1 KB/s. Keepalive 10 s: a PINGREQ's answer takes 4-5 s here. */
export async function s6Latency(rig: Rig): Promise<Outcome> {
    const p = rig.proxy
    p.latencyMs = 2000
    p.jitterMs = 500
    p.bandwidthBps = 1000
    const w = start(rig, { PERIOD_MS: 1000, KEEPALIVE_S: 10 }, true)
    const { vm } = w
    const obs = rig.observer
    const problems: string[] = []
    await seqAtLeast(obs, vm.name, 12, 60_000)
    const timeouts = vm.log.filter(l => /keepalive_timeout|connack_timeout/.test(l))
    if (timeouts.length > 0) problems.push(`spurious timeout: ${timeouts[0]}`)
    const order = count(obs, vm.name).order
    if (order.some((x, i) => i > 0 && x < order[i - 1])) problems.push(`order not preserved: ${order.join(",")}`)
    p.latencyMs = 0
    p.jitterMs = 0
    p.bandwidthBps = 0
    return closeWindow(
        rig,
        w,
        "S6",
        "latency 2 s ± 0.5 s each way, 1 KB/s",
        3,
        30_000,
        ["keepalive 10 s, period 1 s"],
        problems,
    )
}

/** S10: the broker withholds PUBACKs for 8 s while the device produces 10 messages/s into a 20-message queue. */
export async function s10PubackWithheld(rig: Rig): Promise<Outcome> {
    const HOLD_MS = 8000
    const w = start(rig, { PERIOD_MS: 100, QUEUE_MAX: 20 }, true)
    const { vm } = w
    const obs = rig.observer
    await seqAtLeast(obs, vm.name, 5, 30_000)
    w.faultAt = Date.now()
    rig.proxy.holdTypes = [PUBACK]
    await sleep(HOLD_MS)
    rig.proxy.releaseHeld()
    const out = await closeWindow(
        rig,
        w,
        "S10",
        "PUBACK withheld 8 s (slow broker), queue 20",
        10,
        30_000,
        ["period 100 ms, queue 20, window 8"],
        [],
    )
    if (out.dropped === 0) out.problems.push("the queue bound was never reached: nothing was dropped")
    return out
}

/** Connection attempts seen by a proxy in [from, to). */
function attempts(times: number[], from: number, to: number): number[] {
    return times.filter(t => t >= from && t < to)
}

function gaps(ts: number[]): number[] {
    return ts.slice(1).map((t, i) => t - ts[i])
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)

/**
 * S8 (three devices: TCP refused, CONNACK rc 3, CONNACK withheld) and S9
 * (CONNACK 4/5 from the broker's own auth, then accepted), side by side: each
 * device has its own proxy, so their windows overlap instead of adding up.
 */
export async function s8s9Connect(rig: Rig): Promise<Outcome[]> {
    const WINDOW_MS = 14_000
    /** S8 backoff compressed for the window: base 200 ms, cap 3 s (the defaults are 1 s and 2 min). */
    const s8 = { PERIOD_MS: 500, RETRY_BASE_MS: 200, RETRY_CAP_MS: 3000 }
    const refused = await rig.newProxy(11)
    const rc3 = await rig.newProxy(12)
    const withheld = await rig.newProxy(13)
    const auth = await rig.newProxy(14)
    await refused.setListening(false)
    rc3.connackRc = 3
    withheld.holdTypes = [CONNACK]
    await rig.b.refuseS9()

    const t0 = Date.now()
    const vms = {
        refused: rig.vm(s8, refused),
        rc3: rig.vm(s8, rc3),
        withheld: rig.vm(s8, withheld),
        auth: rig.vm({ PERIOD_MS: 500, MQTT_USER: S9_USER, MQTT_PASS: S9_PASS }, auth),
    }
    const obs = rig.observer
    const s9Problems: string[] = []
    const s9Notes: string[] = []
    let refusedLine = ""
    try {
        refusedLine = await vms.auth.waitForLine(/auth_failed/, 20_000)
        const rc = /CONNACK (\d)/.exec(refusedLine)?.[1] ?? "?"
        s9Notes.push(`broker answered CONNACK ${rc} (${rig.b.authHow})`)
    } catch (e) {
        s9Problems.push((e as Error).message)
    }
    await sleep(Math.max(0, t0 + WINDOW_MS - Date.now()))
    const windowEnd = Date.now()

    // The faults end; every device must now connect and deliver what it queued.
    await refused.setListening(true)
    rc3.connackRc = -1
    withheld.releaseHeld()
    const acceptAt = Date.now()
    await rig.b.acceptS9()

    const out: Outcome[] = []
    const s8Rows: [string, string, VmUnderTest, number[] | null][] = [
        ["S8 refused", "TCP connection refused 14 s", vms.refused, null],
        ["S8 rc 3", "CONNACK rc 3 (server unavailable) 14 s", vms.rc3, attempts(rc3.connectionTimes, t0, windowEnd)],
        ["S8 withheld", "CONNACK withheld 14 s", vms.withheld, attempts(withheld.connectionTimes, t0, windowEnd)],
    ]
    for (const [scenario, title, vm, times] of s8Rows) {
        const w: Window = { vm, t0, faultAt: t0, willApplies: false }
        const problems: string[] = []
        const notes: string[] = []
        try {
            await waitOnline(obs, vm.name, windowEnd, 30_000)
        } catch (e) {
            problems.push((e as Error).message)
        }
        const row = await closeWindow(rig, w, scenario, title, 3, 30_000, notes, problems)
        if (times) {
            const g = gaps(times)
            notes.unshift(
                `${times.length} attempts in ${s(WINDOW_MS)}` +
                    (g.length ? `, gaps ${Math.min(...g)}-${Math.max(...g)} ms` : ""),
            )
            checkBackoff(scenario, times, g, problems)
        } else {
            // No TCP accept to time: the device's own counter of failed connects, from its diagnostics.
            const diag = await deviceDiagnostics(obs, vm.name, Date.now(), DIAG_WAIT_MS)
            const n = diag?.disconnects?.connect_failed ?? -1
            notes.unshift(
                n >= 0
                    ? `${n} refused attempts in ${s(WINDOW_MS)} (device counter)`
                    : "attempt count unknown (no diagnostics)",
            )
            if (n > WINDOW_MS / 200)
                problems.push(`${n} attempts in ${s(WINDOW_MS)}: faster than the 200 ms floor allows`)
            if (n < 2) problems.push(`only ${n} attempts in ${s(WINDOW_MS)}`)
        }
        out.push(row)
    }

    // S9: one attempt, refused; nothing for 30 s (the auth floor); the first attempt after that connects.
    const w9: Window = { vm: vms.auth, t0, faultAt: t0, willApplies: false }
    try {
        await waitOnline(obs, vms.auth.name, acceptAt, 45_000)
    } catch (e) {
        s9Problems.push((e as Error).message)
    }
    const tries = auth.connectionTimes.filter(t => t >= t0)
    const before = tries.filter(t => t < acceptAt).length
    s9Notes.push(`${before} attempt(s) before the broker accepted`)
    if (before !== 1) s9Problems.push(`${before} attempts while refused (expected 1: the auth floor is 30 s)`)
    if (tries.length >= 2) {
        const gap = tries[1] - tries[0]
        s9Notes.push(`next attempt ${s(gap)} later, connected`)
        if (gap < 29_500) s9Problems.push(`retried after ${gap} ms, under the 30 s auth floor`)
    }
    for (const vm of Object.values(vms)) {
        const leaks = sentinelLeaks(vm.log)
        if (leaks.length > 0) s9Problems.push(`the password appears in ${vm.name}'s log (${leaks.join(", ")})`)
    }
    out.push(
        await closeWindow(
            rig,
            w9,
            "S9",
            "CONNACK 4/5 from the broker's auth, then accepted",
            3,
            30_000,
            s9Notes,
            s9Problems,
        ),
    )
    return out
}

/** Full-jitter exponential backoff: never faster than the floor, growing, not a fixed period. */
function checkBackoff(scenario: string, times: number[], g: number[], problems: string[]) {
    if (scenario === "S8 withheld") {
        // The CONNACK timeout (10 s) paces these attempts.
        if (times.length < 1 || times.length > 3)
            problems.push(`${times.length} attempts (expected 1-2 with a 10 s CONNACK timeout)`)
        if (g.some(x => x < 10_000))
            problems.push(`a new attempt before the 10 s CONNACK timeout: gaps ${g.join(", ")} ms`)
        return
    }
    if (times.length < 4) problems.push(`only ${times.length} attempts`)
    if (g.some(x => x < 190)) problems.push(`gap under the 200 ms floor: ${Math.min(...g)} ms`)
    const third = Math.max(1, Math.floor(g.length / 3))
    if (!(mean(g.slice(-third)) > mean(g.slice(0, third)))) problems.push(`gaps do not grow: ${g.join(", ")} ms`)
    if (new Set(g.map(x => Math.round(x / 10))).size < 2) problems.push(`no jitter: ${g.join(", ")} ms`)
}

/** The S9 password in UTF-8, hex and base64 forms [checklist: credentials never logged]. */
function sentinelLeaks(log: string[]): string[] {
    const text = log.join("\n")
    const forms: [string, string][] = [
        ["utf-8", S9_PASS],
        ["hex", Buffer.from(S9_PASS).toString("hex")],
        ["base64", Buffer.from(S9_PASS).toString("base64")],
    ]
    return forms.filter(([, f]) => text.toLowerCase().includes(f.toLowerCase())).map(([n]) => n)
}
