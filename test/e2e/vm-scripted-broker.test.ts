/**
 * The real bytecode in the VM against a scripted broker (checklist method FB):
 * what the device sends, byte for byte, and how it survives hostile input.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { ScriptedBroker } from "../support/fake-broker.ts"
import { MALFORMED_AFTER_CONNACK, MALFORMED_CONNACK } from "../support/malformed-corpus.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"

describe("the device against a scripted broker", () => {
    const broker = new ScriptedBroker()
    let vm: VmUnderTest

    beforeAll(async () => {
        await broker.start()
        vm = new VmUnderTest(broker.port).start()
    })
    afterAll(async () => {
        await vm?.stop()
        await broker.stop()
    })

    test("C17 C19 C23 C35: the device's first packet is CONNECT, level 4, keepalive 30, retained offline Will, clean=0", async () => {
        const c = await within(broker.connection(0), 10_000, "first connection")
        const p = await within(
            broker.packet(c, () => true),
            5000,
            "first packet",
        )
        expect(p.cmd).toBe("connect")
        if (p.cmd !== "connect") return
        expect(p.protocolVersion).toBe(4)
        expect(p.keepalive).toBe(30)
        expect(p.clean).toBe(false)
        expect(p.clientId).toBe(vm.name)
        expect(p.will).toMatchObject({ topic: `devs/${vm.name}/status`, qos: 1, retain: true })
        expect(p.will?.payload.toString()).toBe("offline")
    })

    test("C80: every malformed packet makes the device close the connection and reconnect, without a VM panic", async () => {
        const first = broker.conns.length - 1
        for (let i = 0; i < MALFORMED_AFTER_CONNACK.length; i++) {
            const [name, bytes] = MALFORMED_AFTER_CONNACK[i]
            const c = await within(broker.connection(first + i), 10_000, `connection for case ${name}`)
            await within(
                broker.packet(c, p => p.cmd === "connect"),
                5000,
                "CONNECT",
            )
            c.send(Buffer.from(bytes))
            await within(c.whenClosed(), 5000, `device closing after: ${name}`)
        }
        const last = await within(
            broker.connection(first + MALFORMED_AFTER_CONNACK.length),
            10_000,
            "reconnect after the corpus",
        )
        await within(
            broker.packet(last, p => p.cmd === "connect"),
            5000,
            "CONNECT after the corpus",
        )
        expect(vm.panics()).toEqual([])
        expect(vm.device.running).toBe(true)
        expect(vm.log.filter(l => l.includes("protocol violation")).length).toBeGreaterThanOrEqual(
            MALFORMED_AFTER_CONNACK.length,
        )
    }, 120_000)

    /** Drops the live connection so the device reconnects into the next scripted behaviour. */
    function dropCurrent() {
        broker.conns[broker.conns.length - 1]?.socket.destroy()
    }

    test("C38 malformed #8: a bad CONNACK fails the handshake and the device retries on a new connection", async () => {
        broker.script.connackRc = -1
        let bad: number[] = []
        broker.hook = (p, c) => {
            if (p.cmd === "connect") c.send(Buffer.from(bad))
            return false
        }
        for (const [name, bytes] of MALFORMED_CONNACK) {
            bad = bytes
            const n = broker.conns.length
            dropCurrent()
            const c = await within(broker.connection(n), 10_000, `connection for ${name}`)
            await within(c.whenClosed(), 15_000, `device closing after ${name}`)
        }
        broker.script.connackRc = 0
        broker.hook = () => false
        const c = await within(broker.connection(broker.conns.length), 10_000, "recovery connection")
        await within(
            broker.packet(c, p => p.cmd === "publish"),
            10_000,
            "a PUBLISH after recovery",
        )
        expect(vm.panics()).toEqual([])
    }, 120_000)

    test("C13 S2: a connection reset before PUBACK makes the device resend the same id with DUP=1 first", async () => {
        broker.script.sessionPresent = true
        let cutId = -1
        broker.hook = (p, c) => {
            if (cutId < 0 && p.cmd === "publish" && p.qos === 1) {
                cutId = p.messageId!
                c.socket.destroy()
                return true
            }
            return false
        }
        const n = broker.conns.length
        dropCurrent()
        const cut = await within(broker.connection(n), 10_000, "the connection that gets cut")
        await within(cut.whenClosed(), 15_000, "the cut")
        const next = await within(broker.connection(n + 1), 10_000, "the reconnection")
        const firstPub = await within(
            broker.packet(next, p => p.cmd === "publish"),
            10_000,
            "the first PUBLISH after reconnect",
        )
        broker.hook = () => false
        if (firstPub.cmd !== "publish") throw new Error("not a publish")
        expect(firstPub.messageId).toBe(cutId)
        expect(firstPub.dup).toBe(true)
        expect(firstPub.qos).toBe(1)
        expect(vm.panics()).toEqual([])
    }, 60_000)
})

describe("the device with credentials the broker refuses", () => {
    const SECRET = "S3NT1NEL-pw"
    const broker = new ScriptedBroker()
    let vm: VmUnderTest

    beforeAll(async () => {
        await broker.start()
        broker.script.connackRc = 5
        vm = new VmUnderTest(broker.port, {
            MQTT_USER: "dev",
            MQTT_PASS: SECRET,
            RETRY_BASE_MS: 100,
            RETRY_CAP_MS: 400,
        }).start()
    })
    afterAll(async () => {
        await vm?.stop()
        await broker.stop()
    })

    test("C28 C29: the CONNECT carries user name and password", async () => {
        const c = await within(broker.connection(0), 10_000, "first connection")
        const p = await within(
            broker.packet(c, x => x.cmd === "connect"),
            5000,
            "CONNECT",
        )
        if (p.cmd !== "connect") throw new Error("not CONNECT")
        expect(p.username).toBe("dev")
        expect(p.password?.toString()).toBe(SECRET)
    })

    test("S9: CONNACK 5 puts the device in auth_failed and its retry floor (30 s) overrides the 100 ms transient backoff", async () => {
        await vm.waitForLine(/auth_failed/, 10_000)
        const first = await within(broker.connection(0), 1000, "first connection")
        await within(first.whenClosed(), 10_000, "the refused connection closing")
        // Transient failures would have retried within 400 ms by now; an auth failure must not.
        await new Promise(r => setTimeout(r, 5000))
        expect(broker.conns).toHaveLength(1)
        expect(vm.panics()).toEqual([])
    }, 30_000)

    test("credentials: the password is nowhere in the device log, in UTF-8, hex or base64", () => {
        const log = vm.log.join("\n")
        for (const form of [SECRET, Buffer.from(SECRET).toString("hex"), Buffer.from(SECRET).toString("base64")])
            expect(log).not.toContain(form)
        expect(log).toMatch(/as dev/)
    })
})
