/**
 * Outage scenarios run with the real bytecode, the firmware's default settings (only the
 * telemetry period is set), through the chaos proxy, against a broker. Each ends with the loss
 * ledger checked against the device's own counters:
 *
 * - no PANIC / Exception line in the device log, and `seq` never restarts;
 * - every reading arrived except the ones the device counted as dropped (readings_dropped in its
 *   diagnostics, sent once it has caught up after the outage). The dropped are the oldest queued at
 *   each drop; they form one range per outage, or more when readings written before the device
 *   noticed the dark link stay in flight, or new readings overflow the queue while it drains.
 *
 * Used by `npm run test:interop`: test/interop/outage-short.interop.ts (25-40 s outages, also
 * under GC stress), test/interop/outage.interop.ts (2-minute outages) and soak.interop.ts.
 */
import { afterAll, afterEach, beforeAll, expect } from "vitest"
import type { RunningBroker } from "../../host-sim/brokers/broker.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import type { SettingValue } from "../../host-sim/device/vm-device.ts"
import type { BoardId } from "../../host-sim/board/profiles.ts"
import { ledgerOf, type Ledger } from "../../host-sim/ledger/ledger.ts"
import { startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer, type Observed } from "../../host-sim/ledger/observer.ts"
import { DASHBOARD_DIAG_EVERY_MS, startDeviceProxy } from "../../host-sim/simulation.ts"
import { seqsOf } from "../support/telemetry.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest, withDeviceLog } from "../../host-sim/device/vm-under-test.ts"

export interface OutageResult {
    ledger: Ledger
    /** readings_dropped from the device's diagnostics, by cause. */
    dropped: Record<string, number>
    /** Seconds from the end of the fault to the first telemetry that arrived. */
    recoveryS: number
    vm: VmUnderTest
}

const telemetryOf = (name: string) => (m: Observed) => m.topic === `devs/${name}/telemetry`

export interface OutageRig {
    /** The fault proxy: the faults are switched on here. */
    proxy: ChaosProxy
    /**
     * What the device connects to: the fault proxy itself, or with `dashboard` the simulator's
     * per-device proxy in front of it (host-sim/simulation.ts `startDeviceProxy`), the path of
     * `npm start` with its dashboard on.
     */
    deviceProxy: ChaosProxy
    observer: Observer
}

/** A private Mosquitto, the chaos proxy in front of it and a persistent subscriber, for one describe block. */
export function outageRig(opts: { dashboard?: boolean } = {}): OutageRig {
    const rig = {} as OutageRig
    let broker: RunningBroker
    beforeAll(async () => {
        broker = await startMosquitto()
        rig.proxy = new ChaosProxy("127.0.0.1", broker.port)
        await rig.proxy.start()
        rig.deviceProxy = opts.dashboard ? await startDeviceProxy("127.0.0.1", rig.proxy.port, 1) : rig.proxy
        rig.observer = new Observer(broker.url, "devs/#", `observer-outage-${process.pid}-${Date.now() % 100000}`)
        await rig.observer.start()
    })
    afterEach(() => {
        rig.proxy.refuse = false
        rig.proxy.blackhole = "none"
        rig.proxy.sliceRandomMax = 0
    })
    afterAll(async () => {
        await rig.observer?.stop()
        if (rig.deviceProxy !== rig.proxy) await rig.deviceProxy?.stop()
        await rig.proxy?.stop()
        await broker?.close()
    })
    return rig
}

function sum(r: Record<string, number>): number {
    return Object.values(r).reduce((a, b) => a + b, 0)
}

/**
 * Starts a device, waits for its first readings, runs `fault` (which returns when the fault is
 * over and the network is healthy again), then waits until the device reports it has caught up
 * and checks the ledger.
 */
export async function runOutage(
    proxy: ChaosProxy,
    observer: Observer,
    periodMs: number,
    fault: (vm: VmUnderTest) => Promise<void>,
    opts: {
        recoveryTimeoutS?: number
        expectLoss?: boolean
        settings?: Record<string, SettingValue>
        /** A board profile (host-sim/board/): its sockets and what the firmware believes it runs on. */
        board?: BoardId
    } = {},
): Promise<OutageResult> {
    const vm = new VmUnderTest(proxy.port, { PERIOD_MS: periodMs, ...opts.settings }, "127.0.0.1", undefined, "", {
        productDefaults: true,
        ...(opts.board ? { board: opts.board } : {}),
    }).start()
    const name = vm.name
    try {
        await within(
            observer.waitFor(m => telemetryOf(name)(m) && JSON.parse(m.payload.toString()).seq >= 3, 60_000),
            60_000,
            "first readings",
        )
        const connectsBefore = vm.log.filter(l => /-> connected/.test(l)).length
        await fault(vm)
        const healed = Date.now()
        const recoveryMs = (opts.recoveryTimeoutS ?? 90) * 1000
        const first = await within(
            observer.waitFor(m => telemetryOf(name)(m) && m.atMs >= healed, recoveryMs),
            recoveryMs,
            "telemetry after the fault",
        )
        // The device says it has caught up: a diagnostics message after this connect with an empty outbox.
        const diag = await within(
            observer.waitFor(
                m =>
                    m.topic === `devs/${name}/diagnostics` &&
                    m.atMs >= healed &&
                    JSON.parse(m.payload.toString()).mqtt.queue === 0,
                recoveryMs,
            ),
            recoveryMs,
            "diagnostics after catching up",
        )
        const d = JSON.parse(diag.payload.toString())
        // Everything published before that diagnostics message was built has arrived or was dropped.
        const lastSeq = Math.max(...seqsOf(observer, name))
        await within(
            observer.waitFor(m => telemetryOf(name)(m) && JSON.parse(m.payload.toString()).seq >= lastSeq + 2, 30_000),
            30_000,
            "two more readings",
        )
        const ledger = ledgerOf(seqsOf(observer, name).filter(s => s <= lastSeq))
        const dropped = (d.mqtt.readings_dropped ?? {}) as Record<string, number>

        expect(vm.panics()).toEqual([])
        // The device is the only client with its id: resets by the network are no takeover (S12).
        expect(vm.log.filter(l => /id_conflict_suspected|is another client using client id/.test(l))).toEqual([])
        // seq never restarted: one boot, and the stream starts at 1.
        expect(vm.log.filter(l => /DeviceScript Simulator/.test(l))).toHaveLength(1)
        expect(ledger.firstSeq).toBe(1)
        expect(vm.log.filter(l => /-> connected/.test(l)).length).toBeGreaterThan(connectsBefore - 1)
        // Every reading arrived or was counted as dropped by the device.
        expect(ledger.missing).toBe(sum(dropped))
        if (opts.expectLoss) expect(ledger.missing).toBeGreaterThan(0)
        return { ledger, dropped, recoveryS: (first.atMs - healed) / 1000, vm }
    } catch (e) {
        throw withDeviceLog(e, vm)
    } finally {
        await vm.stop()
    }
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** Every connection reset and new ones refused for `s` seconds. */
export function refusedFor(proxy: ChaosProxy, s: number) {
    return async () => {
        proxy.refuse = true
        proxy.reset()
        await sleep(s * 1000)
        proxy.refuse = false
    }
}

/** Nothing passes either way for `s` seconds; sockets stay open (then the device's keepalive notices). */
export function blackholeFor(proxy: ChaosProxy, s: number) {
    return async () => {
        proxy.blackhole = "both"
        await sleep(s * 1000)
        proxy.blackhole = "none"
        // The half-open connection is gone for the broker too once it is reset.
        proxy.reset()
    }
}

/** Resets every 5 s, broker->device bytes in 1-7 byte pieces, and an 8 s blackhole every 30 s, for `s` seconds. */
export function combinedFor(proxy: ChaosProxy, s: number) {
    return async () => {
        proxy.seed(20261201)
        proxy.sliceRandomMax = 7
        const t0 = Date.now()
        let tick = 0
        while (Date.now() - t0 < s * 1000) {
            await sleep(1000)
            tick++
            if (tick % 30 === 10) proxy.blackhole = "both"
            if (tick % 30 === 18) proxy.blackhole = "none"
            if (tick % 5 === 0) proxy.reset()
        }
        proxy.blackhole = "none"
        proxy.sliceRandomMax = 0
    }
}

/** When each part of a fault mix ended: the broker was reachable again from then on (Date.now()). */
export interface MixMarks {
    /** End of the stall (the black hole), end of the refused connections. */
    stallEnd: number
    refusedEnd: number
}

/**
 * The fault mix of issue 23 for `s` seconds: resets every `resetEveryS` (the first quarter), a stall
 * (nothing passes either way for 15 %, then the stalled connection is reset), a healthy tenth, refused
 * connections (20 %), and resets again to the end. `marks` gets when the stall and the refusal ended:
 * from then on the broker was reachable.
 */
export function faultMixFor(proxy: ChaosProxy, s: number, marks: MixMarks, resetEveryS = 5) {
    return async () => {
        const at = (f: number) => Math.round(s * f)
        let tick = 0
        while (tick < s) {
            await sleep(1000)
            tick++
            if (tick === at(0.25)) proxy.blackhole = "both"
            if (tick === at(0.4)) {
                proxy.blackhole = "none"
                proxy.reset()
                marks.stallEnd = Date.now()
            }
            if (tick === at(0.5)) {
                proxy.refuse = true
                proxy.reset()
            }
            if (tick === at(0.7)) {
                proxy.refuse = false
                marks.refusedEnd = Date.now()
            }
            const resetting = tick < at(0.25) || tick > at(0.7)
            if (resetting && tick % resetEveryS === 0) proxy.reset()
        }
    }
}

/** Seconds from `t` to the first telemetry of `name` that arrived at or after it (Infinity: none). */
export function firstDeliveryAfterS(observer: Observer, name: string, t: number): number {
    const m = observer.messages.find(m => telemetryOf(name)(m) && m.atMs >= t)
    return m ? (m.atMs - t) / 1000 : Infinity
}

/** The waits the device drew between connections ("reconnecting in N ms"), in ms. */
export function backoffWaitsMs(vm: VmUnderTest): number[] {
    return vm.log.map(l => /(?:reconnecting|retrying) in (\d+) ms/.exec(l)).flatMap(m => (m ? [Number(m[1])] : []))
}

/** `npm start`'s defaults with its dashboard on: the firmware's 5 s period, diagnostics every 10 s. */
export const DASHBOARD_RUN = { periodMs: 5000, settings: { DIAG_EVERY_MS: DASHBOARD_DIAG_EVERY_MS } }

/** How soon the first reading must arrive once the broker is reachable again (issue 23). */
export const BACK_WITHIN_S = 30

/**
 * The fault mix of `s` seconds at the fault proxy behind the dashboard's per-device proxy, with
 * `npm start`'s defaults; checks runOutage's ledger plus issue 23's bound after the stall, the
 * refusal and the end of the mix, and returns the figures.
 */
export async function runFaultMix(rig: OutageRig, s: number, resetEveryS = 5, board?: BoardId) {
    const marks: MixMarks = { stallEnd: 0, refusedEnd: 0 }
    const r = await runOutage(
        rig.deviceProxy,
        rig.observer,
        DASHBOARD_RUN.periodMs,
        faultMixFor(rig.proxy, s, marks, resetEveryS),
        {
            settings: DASHBOARD_RUN.settings,
            board,
        },
    )
    const name = r.vm.name
    const figures = {
        afterStallS: firstDeliveryAfterS(rig.observer, name, marks.stallEnd),
        afterRefusalS: firstDeliveryAfterS(rig.observer, name, marks.refusedEnd),
        afterMixS: r.recoveryS,
        connections: rig.deviceProxy.connections,
        waitsMs: backoffWaitsMs(r.vm),
        dropped: r.dropped,
        gaps: r.ledger.gaps,
        duplicates: r.ledger.duplicates,
    }
    const profile = board ? `, --board ${board}` : ""
    console.log(
        `fault mix ${s} s (resets every ${resetEveryS} s${profile}) through two proxies: ${JSON.stringify(figures)}`,
    )
    expect(figures.afterStallS).toBeLessThanOrEqual(BACK_WITHIN_S)
    expect(figures.afterRefusalS).toBeLessThanOrEqual(BACK_WITHIN_S)
    expect(figures.afterMixS).toBeLessThanOrEqual(BACK_WITHIN_S)
    return figures
}
