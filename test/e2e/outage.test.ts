/**
 * The device survives ordinary outages with its default settings: no reboot, no lost reading that
 * it did not count, the oldest dropped first. Short outages here (`npm test`); the 2-minute ones
 * are in test/interop/outage.interop.ts (`npm run test:interop`). Against Mosquitto, through the
 * chaos proxy. Scenario ids: checklist S10 (unreachable broker), S3 (half-open), S5 (slicing).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { mosquittoPath, startMosquitto } from "../../host-sim/mosquitto.ts"
import type { RunningBroker } from "../../host-sim/broker.ts"
import { Observer } from "../../host-sim/observer.ts"
import { blackholeFor, combinedFor, refusedFor, runOutage } from "./outage-scenarios.ts"

describe.skipIf(mosquittoPath() === null)("outages with default settings against mosquitto", () => {
    let broker: RunningBroker
    let proxy: ChaosProxy
    let observer: Observer

    beforeAll(async () => {
        broker = await startMosquitto()
        proxy = new ChaosProxy("127.0.0.1", broker.port)
        await proxy.start()
        observer = new Observer(broker.url, "devs/#", `observer-outage-${process.pid}`)
        await observer.start()
    })
    afterEach(() => {
        proxy.refuse = false
        proxy.blackhole = "none"
        proxy.sliceRandomMax = 0
    })
    afterAll(async () => {
        await observer?.stop()
        await proxy?.stop()
        await broker?.close()
    })

    test("S10: 25 s of refused connections at 10 readings/s: the queue overflows, only the oldest are dropped, every drop is counted", async () => {
        const r = await runOutage(proxy, observer, 100, refusedFor(proxy, 25), { expectLoss: true })
        expect(r.ledger.gaps).toHaveLength(1)
        expect(Object.keys(r.dropped).every(k => k === "queue_full" || k === "expired")).toBe(true)
    }, 240_000)

    test("S3: a 40 s blackhole at 4 readings/s: keepalive notices, nothing is lost that is not counted", async () => {
        const r = await runOutage(proxy, observer, 250, blackholeFor(proxy, 40))
        expect(r.ledger.gaps.length).toBeLessThanOrEqual(1)
    }, 240_000)

    test("S5: resets every 5 s, 1-7 byte slices and an 8 s blackhole for 40 s at 4 readings/s: no panic, no uncounted loss", async () => {
        await runOutage(proxy, observer, 250, combinedFor(proxy, 40))
    }, 240_000)
})
