/**
 * Acknowledgement liveness (issue 23, firmware/mqtt/ack-watch.ts; checklist C63): the bytecode in
 * the VM, with its own default settings (5 s period, 30 s keepalive, so a 60 s bound), through the
 * fault proxy to Mosquitto. A PUBACK swallowed on a live link (no reset, no close, PINGRESPs keep
 * coming) must not freeze publishing: the device closes the link with `ack_timeout`, reconnects,
 * and resends the reading (DUP, same id). A broker whose PUBACKs come 10 s late must not be taken
 * for a dead one.
 */
import { describe, expect, test } from "vitest"
import { ackTimeoutFor } from "../../firmware/mqtt/ack-watch.ts"
import { SESSION_DEFAULTS } from "../../firmware/mqtt/options.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { within } from "../../host-sim/cli/within.ts"
import { checkedRun, useMosquittoRig } from "../support/mosquitto-rig.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { missing, seqAtLeast, seqsOf } from "../support/telemetry.ts"
import { installed } from "../support/required.ts"

const PUBACK = 4
const PERIOD_MS = 5000
/** The firmware's bound under its default keepalive. */
const BOUND_MS = ackTimeoutFor(SESSION_DEFAULTS.keepAliveS)
/** What the VM adds to a deadline: a fiber run, a GC, the proxy's hop. */
const SLACK_MS = 5000

describe.skipIf(!installed("mosquitto"))("a lost or late PUBACK on a live link (default settings)", () => {
    const rig = useMosquittoRig("ack")

    /** A device with the product's defaults behind its own proxy; `body` runs with both, then both stop. */
    async function withDevice(body: (vm: VmUnderTest, proxy: ChaosProxy) => Promise<void>) {
        const proxy = new ChaosProxy("127.0.0.1", rig.broker.port)
        await proxy.start()
        const vm = new VmUnderTest(proxy.port, {}, "127.0.0.1", undefined, "", { productDefaults: true }).start()
        try {
            await checkedRun(vm, () => body(vm, proxy))
        } finally {
            await proxy.stop()
        }
    }

    test.concurrent(
        "one PUBACK swallowed: the device closes the link within the bound (ack_timeout), resends with DUP, nothing is missing",
        async () => {
            await withDevice(async (vm, proxy) => {
                await seqAtLeast(rig.observer, vm.name, 2, 30_000)
                const dropped = new Promise<number>(r => proxy.once("dropped", () => r(Date.now())))
                proxy.dropNext = [PUBACK]
                const connections = proxy.connections
                const t0 = await within(dropped, 2 * PERIOD_MS + SLACK_MS, "a PUBACK to swallow")
                // The link stays up meanwhile: no reconnect before the bound.
                await within(
                    vm.waitForLine(/ack_timeout|has not acknowledged/, BOUND_MS + 2 * SLACK_MS),
                    BOUND_MS + 2 * SLACK_MS,
                    "the device's ack timeout",
                )
                const noticedAfter = Date.now() - t0
                expect(noticedAfter).toBeGreaterThanOrEqual(BOUND_MS - SLACK_MS)
                expect(proxy.connectionTimes.filter(t => t < t0 + BOUND_MS - SLACK_MS)).toHaveLength(connections)
                const target = Math.max(...seqsOf(rig.observer, vm.name)) + 3
                await seqAtLeast(rig.observer, vm.name, target, 60_000)
                expect(proxy.connections).toBe(connections + 1)
                expect(missing(seqsOf(rig.observer, vm.name))).toEqual([])
                // The resent reading arrived again (at least once): the broker saw a DUP PUBLISH.
                const diag = await within(
                    rig.observer.waitFor(
                        m =>
                            m.topic === `devs/${vm.name}/diagnostics` &&
                            (JSON.parse(m.payload.toString()).mqtt?.disconnects?.ack_timeout ?? 0) >= 1,
                        60_000,
                    ),
                    60_000,
                    "diagnostics counting the ack_timeout",
                )
                expect(JSON.parse(diag.payload.toString()).mqtt.disconnects).toEqual({ ack_timeout: 1 })
            })
        },
        BOUND_MS + 180_000,
    )

    test.concurrent(
        "PUBACKs 10 s late for two bounds: no reconnect, nothing missing",
        async () => {
            await withDevice(async (vm, proxy) => {
                await seqAtLeast(rig.observer, vm.name, 2, 30_000)
                const connections = proxy.connections
                proxy.holdTypes = [PUBACK]
                const release = setInterval(() => {
                    proxy.releaseHeld()
                    proxy.holdTypes = [PUBACK]
                }, 10_000)
                try {
                    const start = Math.max(...seqsOf(rig.observer, vm.name))
                    await seqAtLeast(
                        rig.observer,
                        vm.name,
                        start + Math.ceil((2 * BOUND_MS) / PERIOD_MS),
                        2 * BOUND_MS + 60_000,
                    )
                } finally {
                    clearInterval(release)
                    proxy.releaseHeld()
                }
                expect(proxy.connections).toBe(connections)
                expect(vm.log.filter(l => /ack_timeout|has not acknowledged/.test(l))).toEqual([])
                expect(missing(seqsOf(rig.observer, vm.name))).toEqual([])
            })
        },
        2 * BOUND_MS + 120_000,
    )
})
