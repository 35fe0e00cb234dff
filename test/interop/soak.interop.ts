/**
 * A 3-minute soak of the production bytecode with its default settings (period 250 ms so the queue
 * works hard), faults in sequence and combined, through the chaos proxy to Mosquitto: a 60 s outage
 * (refused) with 20 downlink commands waiting at the broker, so the reconnect brings a burst both
 * ways; 60 s of resets every 5 s + 1-7 byte slices + 150 ms latency; a 40 s stall (blackhole); then
 * healthy. The device log must hold no PANIC or Exception, seq must never restart, and every
 * reading must have arrived or been counted as dropped.
 */
import { describe, expect, test } from "vitest"
import { outageRig, runOutage, sleep } from "./outage-scenarios.ts"
import { installed } from "../support/required.ts"

describe.skipIf(!installed("mosquitto"))("3-minute soak with faults combined", () => {
    const rig = outageRig()

    test("outage + downlink burst, resets + slicing + latency, a stall: no panic, every reading accounted for", async () => {
        const { proxy, observer } = rig
        const r = await runOutage(
            proxy,
            observer,
            250,
            async vm => {
                proxy.refuse = true
                proxy.reset()
                for (let i = 0; i < 20; i++)
                    await observer.publish(`devs/${vm.name}/set/period_ms`, i % 2 ? "250" : "bad", 1)
                await sleep(60_000)
                proxy.refuse = false
                await sleep(20_000)
                proxy.seed(20261201)
                proxy.sliceRandomMax = 7
                proxy.latencyMs = 150
                for (let t = 0; t < 60; t += 5) {
                    await sleep(5000)
                    proxy.reset()
                }
                proxy.sliceRandomMax = 0
                proxy.latencyMs = 0
                proxy.blackhole = "both"
                await sleep(40_000)
                proxy.blackhole = "none"
                proxy.reset()
            },
            { expectLoss: true },
        )
        const bad = r.vm.log.filter(l => /PANIC|Exception/.test(l))
        expect(bad).toEqual([])
        console.log(
            `soak: ${r.ledger.received} received, ${r.ledger.duplicates} duplicates, dropped ${JSON.stringify(r.dropped)}, gaps ${JSON.stringify(r.ledger.gaps)}, recovery ${r.recoveryS} s, ${r.vm.log.length} log lines`,
        )
    }, 600_000)
})
