/**
 * S11 on the VM: a broker delivers a burst of QoS 1 messages at once (what a
 * clean=0 session queued while the device was away). Found by the interop
 * run: 20-32 downlink messages of 600 bytes made the VM panic (InfiniteLoop),
 * and as the broker delivers them again after the reboot, the device looped.
 */
import { afterEach, describe, expect, test } from "vitest"
import mqttPacket from "mqtt-packet"
import { ScriptedBroker, type BrokerConn } from "../support/fake-broker.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"

/** Mosquitto delivers at most 20 unacknowledged QoS 1 messages to a client (max_inflight_messages). */
const COUNT = 20
/** Not a valid period: the device rejects each one and answers on its log topic. */
const JUNK = " ".repeat(600) + "x"

function burst(topic: (i: number) => string, payload: Buffer, n: number): Buffer {
    return Buffer.concat(
        Array.from({ length: n }, (_, i) =>
            mqttPacket.generate({
                cmd: "publish",
                topic: topic(i),
                payload,
                qos: 1,
                messageId: 1000 + i,
                retain: false,
                dup: false,
            }),
        ),
    )
}

function pubacks(c: BrokerConn): number[] {
    return c.ofType("puback").map(p => (p.cmd === "puback" ? p.messageId! : -1))
}

describe("a burst of inbound QoS 1 messages", () => {
    let broker: ScriptedBroker | undefined
    let vm: VmUnderTest | undefined

    afterEach(async () => {
        await vm?.stop()
        await broker?.stop()
    })

    const cases: [string, (device: string) => Buffer, number][] = [
        [
            `${COUNT} downlink commands of 600 bytes`,
            d => burst(() => `devs/${d}/set/period_ms`, Buffer.from(JUNK), COUNT),
            COUNT,
        ],
        // At the 1 KB inbound packet limit (SESSION_DEFAULTS.maxInboundBytes): each body is copied natively.
        [
            "2 messages at the 1024-byte inbound limit",
            () => burst(i => `other/${i}`, Buffer.alloc(1024 - 2 - 7 - 2, 0x61), 2),
            2,
        ],
    ]
    for (const [what, bytesFor, n] of cases) {
        test(`S11 C56: ${what} in one write are all acknowledged in order, without a VM panic`, async () => {
            broker = new ScriptedBroker()
            await broker.start()
            vm = new VmUnderTest(broker.port, { PERIOD_MS: 500, HA_DISCOVERY: false }).start()
            const c = await within(broker.connection(0), 15_000, "connection")
            await within(
                broker.packet(c, p => p.cmd === "subscribe"),
                10_000,
                "the downlink SUBSCRIBE",
            )
            c.send(bytesFor(vm.name))
            await within(
                new Promise<void>(resolve => {
                    const check = () => {
                        if (pubacks(c).length >= n) resolve()
                    }
                    c.on("packet", check)
                    check()
                }),
                30_000,
                `${n} PUBACKs`,
            ).catch(e => {
                console.log(vm!.log.slice(-40).join("\n"))
                throw e
            })
            expect(pubacks(c)).toEqual(Array.from({ length: n }, (_, i) => 1000 + i))
            expect(vm.panics()).toEqual([])
            // Still alive: telemetry keeps coming on the same connection.
            const before = c.ofType("publish").length
            await within(
                broker.packet(c, p => p.cmd === "publish" && c.ofType("publish").length > before + 1),
                10_000,
                "telemetry after the burst",
            )
            expect(broker.conns).toHaveLength(1)
        }, 60_000)
    }
})
