/**
 * The observer's own refusals: what broker-connect.ts cannot see, because the
 * login worked.
 */
import type { Client } from "aedes"
import { expect, test } from "vitest"
import { startEmbeddedBroker } from "../../host-sim/brokers/broker.ts"
import { BrokerConnectError } from "../../host-sim/link/broker-failure.ts"
import type { Hole } from "../../host-sim/ledger/ledger.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"

test("a subscription the broker refuses (SUBACK 0x80, an ACL) is one clear error, and the observer disconnects", async () => {
    const broker = await startEmbeddedBroker()
    broker.aedes.authorizeSubscribe = (_client, _sub, done) => done(null, null) // aedes: a null subscription is a SUBACK 0x80
    const observer = new Observer(broker.url, "devs/#", "", { username: "writer", password: "pw" })
    const gone = new Promise(resolve => broker.aedes.once("clientDisconnect", resolve))
    try {
        const e = await observer.start().then(
            () => null,
            (err: unknown) => err,
        )
        expect(e).toBeInstanceOf(BrokerConnectError)
        expect((e as BrokerConnectError).kind).toBe("subscribe")
        expect((e as Error).message).toBe(
            `cannot subscribe to devs/# at ${broker.url}: the broker refused the subscription (SUBACK 0x80): user 'writer' may not read these topics`,
        )
        await gone
    } finally {
        await observer.stop()
        await broker.close()
    }
})

test("the observer records a lost connection as a hole in its observation, from the loss to its return", async () => {
    const broker = await startEmbeddedBroker()
    const observer = new Observer(broker.url, "devs/#")
    const connected = new Promise<Client>(resolve => broker.aedes.once("clientReady", resolve))
    try {
        await observer.start()
        expect(observer.observation().holes).toEqual([])
        const back = new Promise<Hole>(resolve => observer.once("hole", resolve))
        const beforeLossMs = Date.now()
        // The broker drops the observer's connection; MQTT.js reconnects and resubscribes on its own.
        ;(await connected).close()
        const hole = await back
        expect(hole.fromMs).toBeGreaterThanOrEqual(beforeLossMs)
        expect(hole.toMs).toBeGreaterThanOrEqual(hole.fromMs)
        // Subscribed again: a message published now arrives.
        await observer.publish("devs/x/telemetry", "{}")
        await observer.waitFor(m => m.topic === "devs/x/telemetry", 5000)
        const o = observer.observation()
        expect(o.holes).toEqual([hole])
        expect(o.startMs).toBeGreaterThan(0)
        expect(o.startMs).toBeLessThanOrEqual(hole.fromMs)
    } finally {
        await observer.stop()
        await broker.close()
    }
    // Its own stop is the end of the observation, not a hole.
    expect(observer.holes).toHaveLength(1)
})
