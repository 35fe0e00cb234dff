/**
 * A broker that refuses a subscription (issue 22): aedes with an authorizer that denies the device its
 * command topic answers the SUBSCRIBE with 0x80. The device keeps publishing over the same connection,
 * says so in its log, counts the refusal in its diagnostics (`subscribe_refusals`, `subs_refused`)
 * and asks again later (30 s, doubling up to 10 minutes) instead of giving up or reconnecting.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { SUB_RETRY_BASE_MS } from "../../firmware/mqtt/subscriptions.ts"
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host-sim/brokers/broker.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { checkedRun } from "../support/mosquitto-rig.ts"
import { seqAtLeast } from "../support/telemetry.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"

describe("a subscription the broker refuses (SUBACK 0x80)", () => {
    let broker: EmbeddedBroker
    let observer: Observer

    beforeAll(async () => {
        broker = await startEmbeddedBroker()
        // An authorizer that refuses every device its commands, as an ACL would (aedes answers 0x80).
        // (Mosquitto 2.0.11 grants an ACL-denied 3.1.1 subscription and delivers nothing to it.)
        broker.aedes.authorizeSubscribe = (_client, sub, done) => done(null, sub.topic.includes("/set/") ? null : sub)
        observer = new Observer(broker.url, "devs/#", `observer-acl-${process.pid}`)
        await observer.start()
    })
    afterAll(async () => {
        await observer?.stop()
        await broker?.close()
    })

    test("the device counts and logs the refusal, keeps publishing on one connection, and asks again later", async () => {
        const vm = new VmUnderTest(broker.port, { DIAG_EVERY_MS: 2000 }).start()
        await checkedRun(vm, async () => {
            const name = vm.name
            await seqAtLeast(observer, name, 2, 30_000)
            const diag = (pred: (mqtt: Record<string, unknown>) => boolean, what: string, ms: number) =>
                within(
                    observer.waitFor(m => {
                        if (m.topic !== `devs/${name}/diagnostics`) return false
                        return pred(JSON.parse(m.payload.toString()).mqtt)
                    }, ms),
                    ms,
                    what,
                )
            const first = JSON.parse(
                (
                    await diag(q => (q.subscribe_refusals as number) >= 1, "a counted refusal", 20_000)
                ).payload.toString(),
            ).mqtt
            expect(first.subs_refused).toEqual([`devs/${name}/set/period_ms`])
            expect(vm.log.some(l => /refused/.test(l) && l.includes("set/period_ms"))).toBe(true)
            // Asked again after SUB_RETRY_BASE_MS, refused again: counted, still no reconnect.
            await diag(q => (q.subscribe_refusals as number) >= 2, "the retry's refusal", SUB_RETRY_BASE_MS + 20_000)
            expect(vm.log.filter(l => /-> connected/.test(l))).toHaveLength(1)
            // Readings go on after the retry, over the same connection.
            const last = Math.max(
                ...observer.messages
                    .filter(m => m.topic === `devs/${name}/telemetry`)
                    .map(m => JSON.parse(m.payload.toString()).seq as number),
            )
            await seqAtLeast(observer, name, last + 2, 20_000)
            expect(vm.log.filter(l => /-> connected/.test(l))).toHaveLength(1)
        })
    }, 120_000)
})
