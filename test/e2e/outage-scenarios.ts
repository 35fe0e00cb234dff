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
 * Used by test/e2e/outage.test.ts (short outages, `npm test`) and by
 * test/interop/outage.interop.ts (2-minute outages, `npm run test:interop`).
 */
import { afterAll, afterEach, beforeAll, expect } from "vitest"
import type { RunningBroker } from "../../host-sim/broker.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { ledgerOf, type Ledger } from "../../host-sim/ledger.ts"
import { startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer, type Observed } from "../../host-sim/observer.ts"
import { seqsOf } from "../support/telemetry.ts"
import { within } from "../support/timeout.ts"
import { VmUnderTest, withDeviceLog } from "../support/vm-harness.ts"

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
    proxy: ChaosProxy
    observer: Observer
}

/** A private Mosquitto, the chaos proxy in front of it and a persistent subscriber, for one describe block. */
export function outageRig(): OutageRig {
    const rig = {} as OutageRig
    let broker: RunningBroker
    beforeAll(async () => {
        broker = await startMosquitto()
        rig.proxy = new ChaosProxy("127.0.0.1", broker.port)
        await rig.proxy.start()
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
    opts: { recoveryTimeoutS?: number; expectLoss?: boolean } = {},
): Promise<OutageResult> {
    const vm = new VmUnderTest(proxy.port, { PERIOD_MS: periodMs }, "127.0.0.1", undefined, "", {
        productDefaults: true,
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
        expect(vm.log.filter(l => /id_conflict_suspected/.test(l))).toEqual([])
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
