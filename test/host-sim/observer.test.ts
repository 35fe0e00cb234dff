/**
 * The observer's own refusals: what broker-connect.ts cannot see, because the
 * login worked.
 */
import { expect, test } from "vitest"
import { startEmbeddedBroker } from "../../host-sim/broker.ts"
import { BrokerConnectError } from "../../host-sim/broker-failure.ts"
import { Observer } from "../../host-sim/observer.ts"

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
