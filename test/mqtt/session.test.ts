/**
 * The session state machine against a scripted fake broker, in virtual time.
 * Row ids refer to ../shared/mqtt-client-checklist.md.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest"
import { brokerOf } from "../../firmware/mqtt/brokers.ts"
import { ACK_TIMEOUT_MIN_MS, ackTimeoutFor } from "../../firmware/mqtt/ack-watch.ts"
import { PublishError } from "../../firmware/mqtt/errors.ts"
import { ACK_DELAY_MS, TX_UNHEARD_MAX_BYTES } from "../../firmware/mqtt/tx-pacer.ts"
import { REQ_DONE, SUB_RETRY_BASE_MS, SUB_RETRY_CAP_MS, subRetryDelayMs } from "../../firmware/mqtt/subscriptions.ts"
import { MSG_DONE, MSG_DROPPED } from "../../firmware/mqtt/outbox-codes.ts"
import {
    Session,
    SESSION_DEFAULTS,
    ST_AUTH_FAILED,
    ST_CONFIG_ERROR,
    ST_CONNECTED,
    ST_STOPPED,
    type SessionOptions,
} from "../../firmware/mqtt/session.ts"
import mqttPacket from "mqtt-packet"
import { FakeNet, NodeSignal, scriptedBroker, TestRuntime, type FakeConn } from "../support/fake-net.ts"

const QOS1 = { qos: 1, retain: false, ttlMs: 0, replace: false }
const QOS0 = { qos: 0, retain: false, ttlMs: 0, replace: false }

function setup(over: Partial<SessionOptions> = {}, net = new FakeNet()) {
    const rt = new TestRuntime(7)
    const s = new Session(
        {
            ...SESSION_DEFAULTS,
            clientId: "dev1",
            keepAliveS: 10,
            will: { topic: "devs/dev1/status", payload: Buffer.from("offline"), qos: 1, retain: true },
            ...over,
        },
        net,
        rt,
        new NodeSignal(),
    )
    const done = s.run()
    return { s, net, rt, done }
}

/** Advances virtual time in small steps until `cond` holds; returns the virtual ms it took. */
async function until(cond: () => boolean, maxMs: number, stepMs = 5): Promise<number> {
    const t0 = Date.now()
    while (!cond()) {
        if (Date.now() - t0 > maxMs) throw new Error(`condition not met within ${maxMs} virtual ms`)
        await vi.advanceTimersByTimeAsync(stepMs)
    }
    return Date.now() - t0
}

const payload = (s: string) => Buffer.from(s)

beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
    vi.useRealTimers()
})

describe("connect", () => {
    test("C17 C19 C23 C29 C35: the first packet on a connection is CONNECT with MQTT level 4, keepalive and the Will", async () => {
        const { net, s } = setup()
        await until(() => s.state === ST_CONNECTED, 1000)
        const first = net.conns[0].received[0]
        expect(first.cmd).toBe("connect")
        expect(first.raw[0]).toBe(0x10)
        if (first.cmd !== "connect") return
        expect(first.protocolId).toBe("MQTT")
        expect(first.protocolVersion).toBe(4)
        expect(first.keepalive).toBe(10)
        expect(first.clean).toBe(false)
        expect(first.clientId).toBe("dev1")
        expect(first.will?.topic).toBe("devs/dev1/status")
        expect(first.will?.payload.toString()).toBe("offline")
        expect(first.will?.retain).toBe(true)
        expect(first.will?.qos).toBe(1)
    })

    test("C17: with 10 queued messages, byte 0 of every (re)connection is CONNECT", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        const { s } = setup({}, net)
        for (let i = 0; i < 10; i++) s.publish("t/a", payload("m" + i), QOS1)
        await vi.advanceTimersByTimeAsync(3000)
        net.refuse = ""
        await until(
            () =>
                net.conns.length > 0 &&
                net.conns[0].ofType("puback").length === 0 &&
                net.conns[0].ofType("publish").length === 10,
            200_000,
        )
        net.current!.end()
        await until(() => net.conns.length === 2 && net.conns[1].received.length > 0, 200_000)
        for (const c of net.conns) expect(c.writes[0][0]).toBe(0x10)
    })

    test("C18 S8: a withheld CONNACK closes the socket after the connect timeout; the next CONNECT goes on a new socket", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ connack: false })
        const { s } = setup({ connectTimeoutMs: 2000 }, net)
        await until(() => net.conns.length >= 2, 200_000)
        expect(net.conns[0].closed).toBe(true)
        expect(net.conns[0].ofType("connect")).toHaveLength(1)
        expect(net.conns[0].received).toHaveLength(1)
        expect(s.stats.disconnects.connack_timeout).toBeGreaterThanOrEqual(1)
    })

    test("a link that fails before CONNACK (a TLS certificate refused after the TCP connect) is connect_failed with its error", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            if (p.cmd === "connect") c.end("tls://b:8883: unable to verify the first certificate")
        }
        const { s } = setup({}, net)
        await until(() => (s.stats.disconnects.connect_failed ?? 0) >= 1, 200_000)
        expect(s.lastError).toMatch(/^connect_failed: .*unable to verify the first certificate/)
    })

    test("a link that dies between open and the CONNECT write is connect_failed with its error, not a bare write failure", async () => {
        const net = new FakeNet()
        net.dieAfterOpen = "tls://b:8883: unable to verify the first certificate"
        const { s } = setup({}, net)
        await until(() => (s.stats.disconnects.connect_failed ?? 0) >= 2, 200_000)
        expect(s.lastError).toMatch(/^connect_failed: .*unable to verify the first certificate/)
        expect(net.conns.every(c => c.received.length === 0)).toBe(true)
    })

    test("a plain close before CONNACK keeps its own cause", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            if (p.cmd === "connect") c.end()
        }
        const { s } = setup({}, net)
        await until(() => (s.stats.disconnects.closed_before_connack ?? 0) >= 1, 200_000)
        expect(s.stats.disconnects.connect_failed).toBeUndefined()
    })

    test("one spelling per disconnect cause: a failed write, a close and a bad packet before CONNACK are snake_case keys (issue 23)", async () => {
        const net = new FakeNet()
        const open = net.open.bind(net)
        net.open = async (host, port, tls, timeoutMs) => {
            await open(host, port, tls, timeoutMs)
            // The first link is gone before the CONNECT is written, with no error to say why.
            if (net.conns.length === 1) net.current!.end()
        }
        net.script = (p, c) => {
            if (p.cmd === "connect" && c.index === 1) return c.end()
            if (p.cmd === "connect" && c.index === 2) return c.send({ cmd: "pingresp" })
            scriptedBroker()(p, c)
        }
        const { s } = setup({}, net)
        await until(() => s.state === ST_CONNECTED, 200_000)
        expect(s.stats.disconnects).toEqual({ write_failed: 1, closed_before_connack: 1, protocol_error: 1 })
        expect(s.stats.protocolErrors).toBe(1)
    })

    test("C37 S9: CONNACK 5 backs off with a floor of 30 s and exposes auth_failed; never a tight loop", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ connackRc: 5 })
        const { s } = setup({}, net)
        await until(() => net.conns.length >= 1 && s.state === ST_AUTH_FAILED, 5000)
        const opened: number[] = []
        let seen = 1
        const t0 = Date.now()
        while (Date.now() - t0 < 10 * 60_000) {
            await vi.advanceTimersByTimeAsync(1000)
            if (net.conns.length > seen) {
                seen = net.conns.length
                opened.push(Date.now())
            }
        }
        // 10 virtual minutes at a 30 s floor: at most 20 further attempts, every gap >= 30 s.
        expect(opened.length).toBeGreaterThan(0)
        expect(opened.length).toBeLessThanOrEqual(20)
        for (let i = 1; i < opened.length; i++) expect(opened[i] - opened[i - 1]).toBeGreaterThanOrEqual(30_000)
        expect(s.state).toBe(ST_AUTH_FAILED)
        expect(s.stats.connackRefusals).toBe(net.conns.length)
    })

    test("C38: CONNACK 2 (identifier rejected) is a configuration error retried at most hourly", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ connackRc: 2 })
        const { s } = setup({}, net)
        await until(() => s.state === ST_CONFIG_ERROR, 5000)
        await vi.advanceTimersByTimeAsync(59 * 60_000)
        expect(net.conns).toHaveLength(1)
    })

    test("S9: after auth failures the client connects once the broker accepts again", async () => {
        const net = new FakeNet()
        let rc = 5
        net.script = (p, c) => scriptedBroker({ connackRc: rc })(p, c)
        const { s } = setup({}, net)
        await until(() => s.state === ST_AUTH_FAILED, 5000)
        rc = 0
        const took = await until(() => s.state === ST_CONNECTED, 40 * 60_000, 1000)
        expect(took).toBeLessThanOrEqual(30 * 60_000)
    })

    test("S8: refused TCP connections back off with growing, jittered delays", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        const { s, rt } = setup({}, net)
        await vi.advanceTimersByTimeAsync(20 * 60_000)
        expect(s.stats.connectAttempts).toBeGreaterThan(3)
        // Full jitter under a 30 s cap: about 15 s on average once grown, so about 80 in 20 minutes.
        expect(s.stats.connectAttempts).toBeLessThan(130)
        const delays = rt.logs.filter(l => l.includes("retrying in")).map(l => Number(/in (\d+) ms/.exec(l)![1]))
        expect(new Set(delays).size).toBeGreaterThan(3)
        for (const d of delays) expect(d).toBeGreaterThanOrEqual(500)
        for (const d of delays) expect(d).toBeLessThanOrEqual(30_000)
    })

    test("S8: a failure that keeps repeating does not flood the log", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        const { s, rt } = setup({ retryBaseMs: 100, retryCapMs: 200 }, net)
        await vi.advanceTimersByTimeAsync(60_000)
        expect(s.stats.connectAttempts).toBeGreaterThan(200)
        // Once per 10 attempts at info level, with both transitions of the first attempt.
        expect(rt.infoLogs.length).toBeLessThan(s.stats.connectAttempts / 3)
    })
})

describe("publish QoS 1", () => {
    test("C13 C41 C43 C60 S2: a PUBLISH cut off before PUBACK is resent first after reconnect, same id, DUP=1 (first send DUP=0)", async () => {
        const net = new FakeNet()
        let drop = true
        net.script = (p, c) => {
            if (p.cmd === "publish" && drop) {
                drop = false
                c.end()
                return
            }
            scriptedBroker({ sessionPresent: true })(p, c)
        }
        const { s } = setup({}, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        const m = s.publish("t/a", payload("x"), QOS1)
        await until(() => net.conns.length === 2 && s.stateOf(m) === MSG_DONE, 120_000)
        const first = net.conns[0].ofType("publish")[0]
        const again = net.conns[1].received[1]
        expect(again.cmd).toBe("publish")
        if (first.cmd !== "publish" || again.cmd !== "publish") return
        expect(again.messageId).toBe(first.messageId)
        expect(first.dup).toBe(false)
        expect(again.dup).toBe(true)
        expect(s.stats.retransmits).toBe(1)
    })

    test("C12: with PUBACKs withheld, 20 publishes use 20 distinct non-zero ids and the window caps in-flight", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ puback: false })
        const { s } = setup({ maxInflight: 8 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        for (let i = 0; i < 20; i++) s.publish("t/a", payload("m" + i), QOS1)
        await vi.advanceTimersByTimeAsync(100)
        const sent = net.current!.ofType("publish")
        expect(sent).toHaveLength(8)
        expect(s.outbox.window.inflight).toBe(8)
        for (const p of sent) if (p.cmd === "publish") net.current!.send({ cmd: "puback", messageId: p.messageId })
        await until(() => net.current!.ofType("publish").length === 16, 1000)
        const rest = net.current!.ofType("publish")
        for (const p of rest.slice(8))
            if (p.cmd === "publish") net.current!.send({ cmd: "puback", messageId: p.messageId })
        await until(() => net.current!.ofType("publish").length === 20, 1000)
        const ids = net.current!.ofType("publish").map(p => (p.cmd === "publish" ? p.messageId : -1))
        expect(new Set(ids).size).toBe(20)
        expect(ids).not.toContain(0)
    })

    test("waitFor resolves on PUBACK and rejects with the drop reason", async () => {
        const { s } = setup({ queueMaxCount: 1 })
        const m = s.publish("t/a", payload("1"), QOS1)
        const ok = s.waitFor(m)
        await until(() => s.stateOf(m) === MSG_DONE, 5000)
        await expect(ok).resolves.toBeUndefined()
        expect(() => s.publish("t/+", payload("1"), QOS1)).toThrow(/invalid topic/)
        const big = s.publish("t/a", Buffer.alloc(20_000), QOS1)
        await expect(s.waitFor(big)).rejects.toThrow(/too_large/)
        await expect(s.waitFor(big)).rejects.toBeInstanceOf(PublishError)
        await expect(s.waitFor(big, "t/a")).rejects.toMatchObject({ reason: "too_large", topic: "t/a" })
    }, 10_000)

    test("C14: QoS 0 PUBLISH has no packet id", async () => {
        const { s, net } = setup()
        await until(() => s.state === ST_CONNECTED, 1000)
        s.publish("t/a", payload("abc"), QOS0)
        await until(() => net.current!.ofType("publish").length === 1, 1000)
        const w = net.current!.writes[net.current!.writes.length - 1]
        expect([...w]).toEqual([0x30, 2 + 3 + 3, 0, 3, 0x74, 0x2f, 0x61, 0x61, 0x62, 0x63])
    })
})

describe("offline queue", () => {
    test("C64 S10: while offline the queue is bounded by count, the oldest is dropped and counted, the rest are delivered in order", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        const { s } = setup({ queueMaxCount: 10, queueMaxBytes: 10_000 }, net)
        const msgs: number[] = []
        for (let i = 0; i < 25; i++) msgs.push(s.publish("t/a", payload("m" + i), QOS1))
        expect(s.outbox.count()).toBe(10)
        expect(s.stats.drops.queue_full).toBe(15)
        expect(s.stateOf(msgs[0])).toBe(MSG_DROPPED)
        net.refuse = ""
        await until(() => s.stateOf(msgs[24]) === MSG_DONE, 300_000, 50)
        const got = net.current!.ofType("publish").map(p => (p.cmd === "publish" ? p.payload.toString() : ""))
        expect(got).toEqual(msgs.slice(15).map((_, i) => "m" + (15 + i)))
    })

    test("queue is bounded by bytes too", async () => {
        const net = new FakeNet()
        net.refuse = "down"
        const { s } = setup({ queueMaxCount: 1000, queueMaxBytes: 1000 }, net)
        for (let i = 0; i < 100; i++) s.publish("t/a", Buffer.alloc(90), QOS1)
        expect(s.outbox.bytes()).toBeLessThanOrEqual(1000)
        expect(s.outbox.count()).toBe(10)
    })

    test("a newer message with the same replace key replaces the queued one", async () => {
        const net = new FakeNet()
        net.refuse = "down"
        const { s } = setup({}, net)
        const a = s.publish("t/a", payload("old"), { ...QOS1, replace: true })
        s.publish("t/a", payload("new"), { ...QOS1, replace: true })
        expect(s.stateOf(a)).toBe(MSG_DROPPED)
        expect(s.dropReason(a)).toBe("replaced")
        expect(s.outbox.count()).toBe(1)
    })

    test("a message older than its TTL is dropped as expired instead of sent", async () => {
        const net = new FakeNet()
        net.refuse = "down"
        const { s } = setup({}, net)
        const a = s.publish("t/a", payload("stale"), { ...QOS1, ttlMs: 1000 })
        await vi.advanceTimersByTimeAsync(5000)
        net.refuse = ""
        await until(() => s.stateOf(a) === MSG_DROPPED, 300_000, 50)
        expect(s.dropReason(a)).toBe("expired")
        expect(s.stats.drops.expired).toBe(1)
    })
})

describe("keepalive", () => {
    test("C35: an idle client sends PINGREQ C0 00 before the keepalive expires", async () => {
        const { s, net } = setup({ keepAliveS: 10 })
        await until(() => s.state === ST_CONNECTED, 1000)
        const t = await until(() => net.current!.ofType("pingreq").length === 1, 10_000, 100)
        expect(t).toBeLessThanOrEqual(10_000)
        const w = net.current!.writes.find(x => x[0] === 0xc0)!
        expect([...w]).toEqual([0xc0, 0x00])
    })

    test("C36 S3: a silent broker (no PINGRESP) is detected within 1.5 x keepalive and the client reconnects", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ pingresp: false })
        const { s } = setup({ keepAliveS: 10 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        const t0 = Date.now()
        await until(() => net.conns[0].closed, 60_000, 100)
        expect(Date.now() - t0).toBeLessThanOrEqual(15_000)
        expect(s.stats.disconnects.keepalive_timeout).toBe(1)
        await until(() => net.conns.length === 2, 200_000, 100)
    })

    test("S4: a downstream black hole is detected while the client keeps streaming QoS 0", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ pingresp: false })
        const { s } = setup({ keepAliveS: 10 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        const t0 = Date.now()
        while (!net.conns[0].closed && Date.now() - t0 < 60_000) {
            s.publish("t/a", payload("q0"), QOS0)
            await vi.advanceTimersByTimeAsync(500)
        }
        expect(net.conns[0].closed).toBe(true)
        expect(Date.now() - t0).toBeLessThanOrEqual(15_500)
    })
})

describe("subscribe", () => {
    test("C76: after a reconnect without session the subscriptions are sent again exactly once", async () => {
        const { s, net } = setup()
        await until(() => s.state === ST_CONNECTED, 1000)
        const r = s.subscribe("devs/dev1/set/#", 1, () => {})
        await s.waitRequest(r)
        net.current!.end()
        await until(() => net.conns.length === 2 && net.conns[1].ofType("subscribe").length === 1, 200_000, 50)
        await vi.advanceTimersByTimeAsync(1000)
        expect(net.conns[1].ofType("subscribe")).toHaveLength(1)
    })

    test("C76: a subscribe cut off before SUBACK is sent again once, not twice", async () => {
        const net = new FakeNet()
        let cut = true
        net.script = (p, c) => {
            if (p.cmd === "subscribe" && cut) {
                cut = false
                c.end()
                return
            }
            scriptedBroker()(p, c)
        }
        const { s } = setup({}, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        const r = s.subscribe("a/b", 1, () => {})
        await until(() => net.conns.length === 2 && r.state === 2, 200_000, 50)
        expect(net.conns[1].ofType("subscribe")).toHaveLength(1)
    })

    test("C72 issue 22: SUBACK 0x80 surfaces as an error, is logged and counted, and the filter is asked for again after 30 s, 60 s, ... until granted", async () => {
        const net = new FakeNet()
        let refuse = 2
        net.script = scriptedBroker({ suback: p => p.subscriptions.map(x => (refuse-- > 0 ? 0x80 : x.qos)) })
        const { s, rt } = setup({}, net)
        const r = s.subscribe("a/b", 1, () => {})
        await until(() => r.state === 3, 5000)
        await expect(s.waitRequest(r)).rejects.toThrow(/refused by the broker/)
        expect(s.stats.subscribeRefusals).toBe(1)
        expect(s.subs.refused()).toEqual(["a/b"])
        expect(rt.logs.some(l => /refused the subscription to 'a\/b' \(0x80\); asking again in 30 s/.test(l))).toBe(
            true,
        )
        const t0 = Date.now()
        await until(() => net.conns[0].ofType("subscribe").length === 2, 40_000, 100)
        expect(Date.now() - t0).toBeGreaterThanOrEqual(SUB_RETRY_BASE_MS - 100)
        await until(() => net.conns[0].ofType("subscribe").length === 3, 70_000, 100)
        expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * SUB_RETRY_BASE_MS - 200)
        await until(() => s.subs.refused().length === 0 && s.stats.subscribeRefusals === 2, 5000)
        expect(net.conns).toHaveLength(1)
        expect(subRetryDelayMs(1)).toBe(SUB_RETRY_BASE_MS)
        expect(subRetryDelayMs(10)).toBe(SUB_RETRY_CAP_MS)
    })

    test("C72: a SUBACK with the wrong number of return codes closes the connection", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ suback: () => [0, 0] })
        const { s } = setup({}, net)
        s.subscribe("a/b", 1, () => {})
        await until(() => net.conns[0]?.closed === true, 5000)
        expect(s.stats.protocolErrors).toBe(1)
    })

    test("C69 C70: invalid filters are rejected before anything is sent", () => {
        const { s } = setup()
        expect(() => s.subscribe("a/#/b", 0, () => {})).toThrow(/invalid topic filter/)
        expect(() => s.subscribe("a+", 0, () => {})).toThrow(/invalid topic filter/)
    })

    test("C15 C56: an inbound QoS 1 PUBLISH is delivered and acknowledged with its id", async () => {
        const { s, net } = setup()
        const got: string[] = []
        await s.waitRequest(s.subscribe("cmd/#", 1, (t, p) => got.push(t + "=" + p.toString())))
        net.current!.send({
            cmd: "publish",
            topic: "cmd/x",
            payload: payload("1"),
            qos: 1,
            messageId: 0x3421,
            retain: false,
            dup: false,
        })
        await until(() => net.current!.ofType("puback").length === 1, 1000)
        const w = net.current!.writes.find(x => x[0] === 0x40)!
        expect([...w]).toEqual([0x40, 0x02, 0x34, 0x21])
        expect(got).toEqual(["cmd/x=1"])
    })

    test("issue 22: a QoS 1 PUBLISH over the inbound limit is acknowledged, counted and reported once, never delivered, and the connection stays", async () => {
        const { s, net } = setup()
        const got: string[] = []
        const dropped: string[] = []
        s.inboundDropped = { inboundDropped: (t, n, cause) => dropped.push(`${t} ${n} ${cause}`) }
        await s.waitRequest(s.subscribe("cmd/#", 1, t => got.push(t)))
        const big = { cmd: "publish", topic: "cmd/x", qos: 1, messageId: 0x0102, retain: false, dup: false } as const
        net.current!.send({ ...big, payload: payload("1".repeat(20_000)) })
        net.current!.send({ ...big, messageId: 0x0103, payload: payload("2") })
        await until(() => net.current!.ofType("puback").length === 2, 1000)
        expect(net.current!.ofType("puback").map(p => (p.cmd === "puback" ? p.messageId : 0))).toEqual([0x0102, 0x0103])
        expect(got).toEqual(["cmd/x"])
        expect(dropped).toEqual(["cmd/x 20000 too_large"])
        expect(s.stats.inboundDrops).toEqual({ too_large: 1 })
        expect(s.stats.protocolErrors).toBe(0)
        expect(net.conns).toHaveLength(1)
        expect(net.current!.closed).toBe(false)
    })

    test("issue 22: 400 inbound QoS 1 messages in one chunk are acknowledged in order, in bursts of at most 1,460 B, 250 ms apart", async () => {
        const { s, net } = setup()
        await s.waitRequest(s.subscribe("cmd/#", 1, () => {}))
        const c = net.current!
        const writes: [number, number][] = []
        const answer = c.onPacket
        c.onPacket = (p, conn) => {
            writes.push([Date.now(), p.raw.length])
            answer(p, conn)
        }
        const one = (i: number) =>
            mqttPacket.generate({
                cmd: "publish",
                topic: "cmd/x",
                payload: payload("1"),
                qos: 1,
                messageId: i + 1,
                retain: false,
                dup: false,
            })
        c.send(Buffer.concat(Array.from({ length: 400 }, (_, i) => one(i))))
        await until(() => c.ofType("puback").length === 400, 20_000)
        expect(c.ofType("puback").map(p => (p.cmd === "puback" ? p.messageId : 0))).toEqual(
            Array.from({ length: 400 }, (_, i) => i + 1),
        )
        // Writes go in bursts of at most one MSS, 250 ms apart.
        let unheard = 0
        let last = -Infinity
        for (const [t, n] of writes) {
            if (t - last >= ACK_DELAY_MS) unheard = 0
            unheard += n
            last = t
            expect(unheard).toBeLessThanOrEqual(TX_UNHEARD_MAX_BYTES)
        }
        expect(net.conns).toHaveLength(1)
    })

    test("inbound QoS 2 is answered with PUBREC (never PUBACK), delivered once, completed with PUBCOMP", async () => {
        const { s, net } = setup()
        const got: string[] = []
        await s.waitRequest(s.subscribe("cmd/#", 1, t => got.push(t)))
        const pub = {
            cmd: "publish",
            topic: "cmd/y",
            payload: payload("1"),
            qos: 2,
            messageId: 7,
            retain: false,
            dup: false,
        } as const
        net.current!.send(pub)
        net.current!.send({ ...pub, dup: true })
        await until(() => net.current!.ofType("pubrec").length === 2, 1000)
        net.current!.send({ cmd: "pubrel", messageId: 7 })
        await until(() => net.current!.ofType("pubcomp").length === 1, 1000)
        expect(net.current!.ofType("puback")).toHaveLength(0)
        expect(got).toEqual(["cmd/y"])
    })
})

describe("stop, Will and birth", () => {
    test("birth: retained 'online' is the first PUBLISH after every CONNACK", async () => {
        const { s, net } = setup({ birth: { topic: "devs/dev1/status", payload: payload("online"), retain: true } })
        s.publish("t/a", payload("x"), QOS1)
        await until(() => net.conns.length === 1 && net.current!.ofType("publish").length === 2, 5000)
        const first = net.current!.ofType("publish")[0]
        if (first.cmd !== "publish") throw new Error()
        expect(first.topic).toBe("devs/dev1/status")
        expect(first.retain).toBe(true)
        expect(first.payload.toString()).toBe("online")
    })

    test("C77 C78 C79: a planned stop publishes 'offline', sends DISCONNECT E0 00 last, and closes", async () => {
        const { s, net, done } = setup({
            birth: { topic: "devs/dev1/status", payload: payload("online"), retain: true },
            offlinePayload: payload("offline"),
        })
        await until(() => s.state === ST_CONNECTED, 1000)
        s.stop()
        await until(() => s.state === ST_STOPPED, 1000)
        await done
        const c = net.current!
        const last = c.writes[c.writes.length - 1]
        expect([...last]).toEqual([0xe0, 0x00])
        const beforeLast = c.received[c.received.length - 2]
        expect(beforeLast.cmd).toBe("publish")
        if (beforeLast.cmd === "publish") expect(beforeLast.payload.toString()).toBe("offline")
        expect(c.closed).toBe(true)
    })

    test("packets in the same chunk as the CONNACK are handled at once (a clean=0 session's queued messages)", async () => {
        const net = new FakeNet()
        const base = scriptedBroker()
        net.script = (p, c) => {
            if (p.cmd !== "connect") return base(p, c)
            c.send(
                Buffer.concat([
                    mqttPacket.generate({ cmd: "connack", returnCode: 0, sessionPresent: true }),
                    mqttPacket.generate({
                        cmd: "publish",
                        topic: "a/b",
                        payload: Buffer.from("queued"),
                        qos: 1,
                        messageId: 7,
                        retain: false,
                        dup: false,
                    }),
                ]),
            )
        }
        const { s } = setup({ will: null }, net)
        await vi.advanceTimersByTimeAsync(100)
        expect(net.conns[0].ofType("puback").map(p => (p.cmd === "puback" ? p.messageId : -1))).toEqual([7])
        s.stop()
        await vi.advanceTimersByTimeAsync(1000)
    })

    test("without credentials the CONNECT has no user name field (an empty one is a login as user '')", async () => {
        const net = new FakeNet()
        const { s } = setup({ username: "", password: null }, net)
        await vi.advanceTimersByTimeAsync(100)
        const c = net.conns[0].ofType("connect")[0]
        expect(c).toBeDefined()
        if (c.cmd === "connect") expect(c.username).toBeUndefined()
        expect([...net.conns[0].writes[0]][9] & 0xc0).toBe(0)
        s.stop()
        await vi.advanceTimersByTimeAsync(1000)
    })

    test("credentials: the password never appears in logs, in UTF-8, hex or base64", async () => {
        const secret = "S3NT1NEL-pw"
        const net = new FakeNet()
        let n = 0
        net.script = (p, c) => scriptedBroker({ connackRc: n++ < 2 ? 5 : 0, pingresp: false })(p, c)
        const { rt, s } = setup({ username: "u", password: Buffer.from(secret) }, net)
        await vi.advanceTimersByTimeAsync(20 * 60_000)
        s.stop()
        await vi.advanceTimersByTimeAsync(1000)
        const all = rt.logs.join("\n") + JSON.stringify(s.stats) + s.lastError
        for (const form of [secret, Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64")])
            expect(all).not.toContain(form)
        expect(net.conns[0].ofType("connect")[0]).toMatchObject({ username: "u" })
    })
})

describe("protocol violations", () => {
    const corpus: [string, number[]][] = [
        ["C07 five-byte remaining length", [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]],
        ["C08 C81 a SUBACK beyond the receive limit", [0x90, 0xff, 0xff, 0xff, 0x7f]],
        ["C09 reserved type 0", [0x00, 0x00]],
        ["C09 reserved type 15", [0xf0, 0x00]],
        ["C10 CONNECT from the server", [0x10, 0x00]],
        ["C10 PINGREQ from the server", [0xc0, 0x00]],
        ["C06 PUBACK with flags", [0x41, 0x02, 0x00, 0x01]],
        ["C11 QoS 1 PUBLISH with id 0", [0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00]],
        ["malformed #4 topic longer than the packet", [0x30, 0x07, 0xff, 0xff, 0x41, 0x42, 0x43, 0x44, 0x45]],
        ["malformed #6 QoS 3", [0x36, 0x03, 0x00, 0x01, 0x61]],
        ["C01 ill-formed UTF-8 topic", [0x30, 0x04, 0x00, 0x02, 0xc3, 0x28]],
        ["C02 NUL in topic", [0x30, 0x05, 0x00, 0x03, 0x61, 0x00, 0x62]],
        ["malformed #8 second CONNACK", [0x20, 0x02, 0x00, 0x00]],
        ["malformed #9 PINGRESP with a body", [0xd0, 0x01, 0x00]],
    ]
    for (const [name, bytes] of corpus) {
        test(`C80 ${name}: closes the connection and reconnects`, async () => {
            const { s, net } = setup()
            await until(() => s.state === ST_CONNECTED, 1000)
            net.current!.send(Buffer.from(bytes))
            await until(() => net.conns[0].closed, 1000)
            expect(s.stats.protocolErrors).toBe(1)
            await until(() => net.conns.length === 2 && s.state === ST_CONNECTED, 200_000, 50)
        })
    }

    test("a PUBACK the link does not take (the broker closed right after its PUBLISH) is a write failure, not a protocol violation", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            if (p.cmd === "connect") {
                c.send({
                    cmd: "publish",
                    topic: "t/in",
                    payload: Buffer.from("x"),
                    qos: 1,
                    messageId: 7,
                    retain: false,
                    dup: false,
                })
                c.end()
            }
        }
        const { s, rt } = setup({}, net)
        await until(() => (s.stats.disconnects.write_failed ?? 0) >= 1, 10_000)
        expect(s.stats.protocolErrors).toBe(0)
        expect(rt.logs.filter(l => /protocol violation/.test(l))).toEqual([])
    })
})

const mqttGenerate = (p: mqttPacket.Packet) => mqttPacket.generate(p)

export type { FakeConn }

describe("session state and robustness", () => {
    test("C40: nothing is published before CONNACK, and a refused CONNECT does not count queued messages as sent", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ connack: false })
        const { s } = setup({ connectTimeoutMs: 5000 }, net)
        const msgs = [0, 1, 2].map(i => s.publish("t/a", payload("m" + i), QOS1))
        await vi.advanceTimersByTimeAsync(2000)
        expect(net.conns[0].received.map(p => p.cmd)).toEqual(["connect"])
        net.conns[0].send({ cmd: "connack", returnCode: 5, sessionPresent: false })
        await until(() => net.conns[0].closed, 1000)
        expect(net.conns[0].ofType("publish")).toHaveLength(0)
        expect(msgs.every(m => s.stateOf(m) !== MSG_DONE)).toBe(true)
        expect(s.stats.published).toBe(0)
    })

    test("C22: with clean=1, a message cut off before PUBACK is resent on the new session (documented: at least once)", async () => {
        const net = new FakeNet()
        let drop = true
        net.script = (p, c) => {
            if (p.cmd === "publish" && drop) {
                drop = false
                c.end()
                return
            }
            scriptedBroker()(p, c)
        }
        const { s } = setup({ clean: true }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        const m = s.publish("t/a", payload("x"), QOS1)
        await until(() => s.stateOf(m) === MSG_DONE, 120_000, 50)
        expect(net.conns[1].ofType("publish")).toHaveLength(1)
        expect(net.conns[1].received[0]).toMatchObject({ cmd: "connect", clean: true })
    })

    test("C63: on a live link an unacknowledged PUBLISH is not resent; after the ack timeout the link is closed and the reconnect resends it (DUP, same id)", async () => {
        const net = new FakeNet()
        let swallow = 1
        net.script = (p, c) => {
            if (p.cmd === "publish" && swallow > 0) {
                swallow--
                return
            }
            scriptedBroker()(p, c)
        }
        const { s } = setup({ keepAliveS: 10 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        expect(s.ackTimeoutMs).toBe(ACK_TIMEOUT_MIN_MS)
        const m = s.publish("t/a", payload("x"), QOS1)
        await until(() => net.conns[0].ofType("publish").length === 1, 1000)
        const t0 = Date.now()
        // The link stays alive (PINGRESPs) and no second copy goes out on it.
        await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MIN_MS - 1000)
        expect(net.conns).toHaveLength(1)
        expect(net.conns[0].ofType("publish")).toHaveLength(1)
        expect(net.conns[0].ofType("pingreq").length).toBeGreaterThan(1)
        await until(() => net.conns[0].closed, 5000)
        expect(Date.now() - t0).toBeLessThanOrEqual(ACK_TIMEOUT_MIN_MS + 1000)
        expect(s.stats.disconnects.ack_timeout).toBe(1)
        await until(() => s.stateOf(m) === MSG_DONE, 120_000, 50)
        const first = net.conns[0].ofType("publish")[0]
        const again = net.conns[1].ofType("publish")
        expect(again).toHaveLength(1)
        if (first.cmd !== "publish" || again[0].cmd !== "publish") return
        expect(again[0].dup).toBe(true)
        expect(again[0].messageId).toBe(first.messageId)
        expect(s.stats.drops).toEqual({})
    })

    test("C63: PUBACKs that come 10 s late, always, cause no reconnect", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            if (p.cmd === "publish" && p.qos === 1) {
                const id = p.messageId
                setTimeout(() => c.send({ cmd: "puback", messageId: id }), 10_000)
                return
            }
            scriptedBroker()(p, c)
        }
        const { s } = setup({ keepAliveS: 10 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        let sent = 0
        for (let t = 0; t < 10 * 60_000; t += 2000) {
            s.publish("t/a", payload(String(t)), QOS1)
            sent++
            await vi.advanceTimersByTimeAsync(2000)
        }
        await vi.advanceTimersByTimeAsync(11_000)
        expect(net.conns).toHaveLength(1)
        expect(s.stats.acked).toBe(sent)
        expect(s.stats.disconnects).toEqual({})
    })

    test("C63: a SUBSCRIBE never answered closes the link after the ack timeout; the reconnect asks again", async () => {
        const net = new FakeNet()
        let answer = false
        net.script = (p, c) => {
            if (p.cmd === "subscribe" && !answer) return
            scriptedBroker()(p, c)
        }
        const { s } = setup({ keepAliveS: 30 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        expect(s.ackTimeoutMs).toBe(ackTimeoutFor(30))
        expect(s.ackTimeoutMs).toBe(60_000)
        const r = s.subscribe("c/#", 1, () => {})
        await until(() => net.conns[0].ofType("subscribe").length === 1, 1000)
        answer = true
        const t0 = Date.now()
        await until(() => net.conns[0].closed, 70_000, 50)
        expect(Date.now() - t0).toBeGreaterThanOrEqual(60_000 - 50)
        expect(s.stats.disconnects.ack_timeout).toBe(1)
        await until(() => r.state === REQ_DONE, 120_000, 50)
        expect(net.conns[1].ofType("subscribe")).toHaveLength(1)
    })

    test("C53: a PUBLISH that matches no handler is still acknowledged", async () => {
        const { s, net } = setup()
        await until(() => s.state === ST_CONNECTED, 1000)
        net.current!.send({
            cmd: "publish",
            topic: "nobody/listens",
            payload: payload("1"),
            qos: 1,
            messageId: 5,
            retain: false,
            dup: false,
        })
        await until(() => net.current!.ofType("puback").length === 1, 1000)
    })

    test("C48 C66: filters with NUL are rejected before sending", () => {
        const { s } = setup()
        expect(() => s.subscribe("a/\u0000", 0, () => {})).toThrow(/invalid topic filter/)
    })

    test("C39: CONNACK with session present on a clean session closes the connection", async () => {
        const net = new FakeNet()
        net.script = scriptedBroker({ sessionPresent: true })
        const { s } = setup({ clean: true }, net)
        await until(() => net.conns[0]?.closed === true, 5000)
        expect(s.stats.protocolErrors).toBe(1)
    })

    test("C59 C16: a PUBACK or SUBACK with an unknown id is ignored and the session carries on", async () => {
        const { s, net } = setup()
        await until(() => s.state === ST_CONNECTED, 1000)
        net.current!.send({ cmd: "puback", messageId: 999 })
        net.current!.send({ cmd: "suback", messageId: 998, granted: [0] })
        net.current!.send({ cmd: "pubrel", messageId: 997 })
        await until(() => net.current!.ofType("pubcomp").length === 1, 1000)
        const m = s.publish("t/a", payload("x"), QOS1)
        await until(() => s.stateOf(m) === MSG_DONE, 1000)
        expect(net.conns).toHaveLength(1)
        expect(s.stats.protocolErrors).toBe(0)
    })

    test("C56 S11: 1000 QoS 1 PUBLISHes in one chunk are acknowledged in order, and C54: a DUP after PUBACK is delivered again", async () => {
        const { s, net } = setup()
        let delivered = 0
        await s.waitRequest(s.subscribe("cmd/#", 1, () => delivered++))
        const chunk = Buffer.concat(
            Array.from({ length: 1000 }, (_, i) =>
                mqttGenerate({
                    cmd: "publish",
                    topic: "cmd/x",
                    payload: payload("" + i),
                    qos: 1,
                    messageId: i + 1,
                    retain: false,
                    dup: false,
                }),
            ),
        )
        net.current!.send(chunk)
        await until(() => net.current!.ofType("puback").length === 1000, 5000)
        const ids = net.current!.ofType("puback").map(p => (p.cmd === "puback" ? p.messageId : 0))
        expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
        net.current!.send({
            cmd: "publish",
            topic: "cmd/x",
            payload: payload("again"),
            qos: 1,
            messageId: 1,
            retain: false,
            dup: true,
        })
        await until(() => net.current!.ofType("puback").length === 1001, 1000)
        expect(delivered).toBe(1001)
    })

    test("C61: unacknowledged messages are resent in their original order across the id wrap 65535 -> 1", async () => {
        const net = new FakeNet()
        let cut = false
        net.script = (p, c) => {
            if (p.cmd === "publish" && !cut) return // withhold every PUBACK on the first connection
            scriptedBroker({ sessionPresent: true })(p, c)
        }
        const { s } = setup({ maxInflight: 4 }, net)
        await until(() => s.state === ST_CONNECTED, 1000)
        // Start the id counter just below the wrap.
        for (let i = 0; i < 65533; i++) s.outbox.window.allocId(() => false)
        for (let i = 0; i < 4; i++) s.publish("t/a", payload("m" + i), QOS1)
        await until(() => net.conns[0].ofType("publish").length === 4, 1000)
        const firstIds = net.conns[0].ofType("publish").map(p => (p.cmd === "publish" ? p.messageId : 0))
        expect(firstIds).toEqual([65534, 65535, 1, 2])
        cut = true
        net.current!.end()
        await until(() => net.conns.length === 2 && net.conns[1].ofType("publish").length === 4, 200_000, 50)
        const again = net.conns[1].ofType("publish").map(p => (p.cmd === "publish" ? p.messageId : 0))
        expect(again).toEqual(firstIds)
    })
})

describe("S7 truncation sweep", () => {
    /** Five QoS 1 messages; connection 0 dies after `k` bytes in one direction; later connections are healthy. */
    async function sweep(direction: "down" | "up", k: number) {
        const net = new FakeNet()
        net.script = scriptedBroker({ sessionPresent: true })
        const first = net.open.bind(net)
        net.open = async (...a) => {
            await first(...a)
            if (net.conns.length === 1) {
                if (direction === "down") net.current!.limitOut = k
                else net.current!.limitIn = k
            }
        }
        const { s } = setup({}, net)
        const msgs = [0, 1, 2, 3, 4].map(i => s.publish("t/a", payload("m" + i), QOS1))
        await until(() => msgs.every(m => s.stateOf(m) === MSG_DONE), 300_000, 50)
        // Every message reached the broker at least once; acknowledged ones were never sent under a new id.
        const got = new Set<string>()
        const idOf = new Map<string, number>()
        for (const c of net.conns)
            for (const p of c.ofType("publish")) {
                if (p.cmd !== "publish") continue
                const body = p.payload.toString()
                got.add(body)
                if (idOf.has(body)) expect(p.messageId).toBe(idOf.get(body))
                idOf.set(body, p.messageId!)
            }
        expect([...got].sort()).toEqual(["m0", "m1", "m2", "m3", "m4"])
        expect(s.state).toBe(ST_CONNECTED)
    }

    // CONNACK (4 bytes) + 5 PUBACKs (4 bytes each) from the broker.
    for (let k = 0; k <= 24; k++) test(`broker-to-client stream cut after ${k} bytes`, () => sweep("down", k))
    // CONNECT (~40 bytes) + 5 PUBLISHes (~11 bytes each) from the client.
    for (let k = 0; k <= 100; k += 3) test(`client-to-broker stream cut after ${k} bytes`, () => sweep("up", k))
})

describe("S12 client-id takeover", () => {
    test("a broker that keeps closing fresh sessions: no reconnect storm, and a client-id conflict is surfaced", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            // Another client with the same id connects 100 ms later and the broker drops us [MQTT-3.1.4-2].
            if (p.cmd === "connect") setTimeout(() => c.end(), 100)
        }
        const { s, rt } = setup({}, net)
        await vi.advanceTimersByTimeAsync(10 * 60_000)
        // Backoff grows to its 2 min cap: a handful of attempts in 10 minutes, not hundreds.
        expect(net.conns.length).toBeLessThan(20)
        expect(s.stats.shortSessions).toBe(net.conns.length - (s.state === ST_CONNECTED ? 1 : 0))
        expect(rt.infoLogs.filter(l => /another client using client id 'dev1'/.test(l))).toHaveLength(1)
        expect(s.lastError).toBe("id_conflict_suspected")
    })

    test("Pico W reports the broker's close as an error ('recv without buf?'): still a takeover", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            if (p.cmd === "connect") setTimeout(() => c.end("recv without buf?"), 100)
        }
        const { s, rt } = setup({}, net)
        await vi.advanceTimersByTimeAsync(10 * 60_000)
        expect(net.conns.length).toBeLessThan(20)
        expect(rt.infoLogs.filter(l => /another client using client id 'dev1'/.test(l))).toHaveLength(1)
        expect(s.lastError).toBe("id_conflict_suspected")
    })

    test("links reset by the network right after CONNACK are no id conflict: back within the transient backoff once the resets stop", async () => {
        const net = new FakeNet()
        let resetting = true
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            // A flaky NAT or proxy: an RST 100 ms after each CONNACK, for 2 minutes.
            if (p.cmd === "connect" && resetting) setTimeout(() => c.end("tcp://broker:1883: read ECONNRESET"), 100)
        }
        const { s, rt } = setup({}, net)
        await vi.advanceTimersByTimeAsync(2 * 60_000)
        expect(s.stats.shortSessions).toBeGreaterThanOrEqual(3)
        expect(rt.infoLogs.filter(l => /another client using client id/.test(l))).toEqual([])
        expect(s.lastError).not.toBe("id_conflict_suspected")
        resetting = false
        // BACKOFF_TRANSIENT's cap (30 s) plus its jitter, not BACKOFF_CONFLICT's 2 minutes.
        await until(() => s.state === ST_CONNECTED && net.current !== undefined && !net.current.closed, 31_000, 50)
    })

    test("a link reset after each session that delivered is reconnected within the base delay, however often (issue 23)", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            // The broker acknowledges the reading, then a NAT resets the link: 20 times over.
            if (p.cmd === "publish" && c.index < 20) setTimeout(() => c.end("tcp://broker:1883: read ECONNRESET"), 100)
        }
        const { s, rt } = setup({}, net)
        s.publish("devs/dev1/telemetry", payload("r"), QOS1)
        // Every session publishes once (the reading resent while unacknowledged, then a new one).
        const feed = setInterval(() => s.publish("devs/dev1/telemetry", payload("r"), QOS1), 200)
        await until(() => net.conns.length > 20, 60_000, 20)
        clearInterval(feed)
        const waits = rt.logs.map(l => /reconnecting in (\d+) ms/.exec(l)).filter(m => m !== null)
        expect(waits.length).toBeGreaterThanOrEqual(20)
        for (const m of waits) expect(Number(m[1])).toBeLessThanOrEqual(SESSION_DEFAULTS.retryBaseMs)
        expect(rt.infoLogs.filter(l => /another client using client id/.test(l))).toEqual([])
    })

    test("a takeover's sessions that deliver before the broker closes them still back off (no ping-pong, S12)", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            // The PUBACK comes, then the other client with our id takes the session over.
            if (p.cmd === "publish") setTimeout(() => c.end(), 100)
        }
        const { s, rt } = setup({}, net)
        const feed = setInterval(() => s.publish("devs/dev1/telemetry", payload("r"), QOS1), 200)
        await vi.advanceTimersByTimeAsync(10 * 60_000)
        clearInterval(feed)
        expect(net.conns.length).toBeLessThan(20)
        expect(s.stats.acked).toBeGreaterThan(0)
        expect(rt.infoLogs.filter(l => /another client using client id 'dev1'/.test(l))).toHaveLength(1)
    })
    // The fuzz's broker (issue 30): a PUBLISH with QoS 3, the last mutant before the 82 s wait that reproduced it.
    const GARBAGE = Buffer.from("370a000666757a7a2f650104", "hex")

    test("a broker that sends garbage between its closes is no id conflict: a protocol violation breaks the run (issue 30)", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            // Every other session: the broker closes it 100 ms after CONNACK, or sends garbage.
            if (p.cmd === "connect") setTimeout(() => (c.index % 2 === 0 ? c.end() : c.send(GARBAGE)), 100)
        }
        const { s, rt } = setup({}, net)
        await vi.advanceTimersByTimeAsync(10 * 60_000)
        expect(s.stats.shortSessions).toBeGreaterThanOrEqual(3)
        expect(s.stats.protocolErrors).toBeGreaterThanOrEqual(3)
        expect(rt.infoLogs.filter(l => /another client using client id/.test(l))).toEqual([])
        expect(rt.logs.filter(l => /id_conflict_suspected/.test(l))).toEqual([])
    })

    test("after a suspected conflict, a broker that sends garbage gets the transient backoff, not the conflict's 2 minutes", async () => {
        const net = new FakeNet()
        net.script = (p, c) => {
            scriptedBroker()(p, c)
            // Three sessions closed by the broker (a takeover, as far as the device can tell), then garbage.
            if (p.cmd === "connect") setTimeout(() => (c.index < 3 ? c.end() : c.send(GARBAGE)), 100)
        }
        const { s, rt } = setup({}, net)
        await until(() => s.stats.protocolErrors >= 5, 10 * 60_000, 100)
        expect(rt.infoLogs.filter(l => /another client using client id 'dev1'/.test(l))).toHaveLength(1)
        // Every wait chosen after the first violation is within the transient cap.
        const first = rt.logs.findIndex(l => /protocol_error/.test(l) && /reconnecting in/.test(l))
        const waits = rt.logs
            .slice(first)
            .map(l => /reconnecting in (\d+) ms/.exec(l))
            .filter(m => m !== null)
            .map(m => Number(m[1]))
        expect(waits.length).toBeGreaterThanOrEqual(5)
        expect(Math.max(...waits)).toBeLessThanOrEqual(SESSION_DEFAULTS.retryCapMs)
    })
})

describe("MQTT_HOSTS failover (issue 12)", () => {
    const brokers = [brokerOf("a.lan", 1883, false), brokerOf("b.lan", 1884, false), brokerOf("c.lan", 8883, true)]

    test("a refused first broker: the device connects to the second, says which, and publishes there", async () => {
        const net = new FakeNet()
        net.refuseHosts = ["a.lan:1883"]
        const { s, rt } = setup({ brokers }, net)
        await until(() => s.state === ST_CONNECTED, 10_000)
        expect(net.attempts).toEqual(["a.lan:1883", "b.lan:1884"])
        expect(rt.infoLogs.filter(l => /-> connected/.test(l))).toEqual([
            "mqtt: connecting -> connected (new session, mqtt://b.lan:1884)",
        ])
        const t = s.publish("t/a", payload("x"), QOS1)
        await until(() => s.stateOf(t) === MSG_DONE, 1000)
        expect(net.current!.ofType("publish")).toHaveLength(1)
    })

    test("while the connection is up the device stays, however long", async () => {
        const net = new FakeNet()
        net.refuseHosts = ["a.lan:1883"]
        const { s } = setup({ brokers }, net)
        await until(() => s.state === ST_CONNECTED, 10_000)
        await vi.advanceTimersByTimeAsync(30 * 60_000)
        expect(s.state).toBe(ST_CONNECTED)
        expect(net.attempts).toEqual(["a.lan:1883", "b.lan:1884"])
    })

    test("a connection lost before it was stable moves to the next broker", async () => {
        const net = new FakeNet()
        const { s } = setup({ brokers, stableMs: 60_000 }, net)
        await until(() => s.state === ST_CONNECTED, 10_000)
        await vi.advanceTimersByTimeAsync(10_000)
        net.current!.end()
        await until(() => net.conns.length === 2 && s.state === ST_CONNECTED, 10_000)
        expect(net.attempts).toEqual(["a.lan:1883", "b.lan:1884"])
    })

    test("a CONNACK refusal moves to the next broker too", async () => {
        const net = new FakeNet()
        net.script = (p, c) => scriptedBroker({ connackRc: net.conns.length === 1 ? 3 : 0 })(p, c)
        const { s } = setup({ brokers }, net)
        await until(() => s.state === ST_CONNECTED, 10_000)
        expect(net.attempts).toEqual(["a.lan:1883", "b.lan:1884"])
    })

    test("after a stable connection on a later broker ends, the device tries its first choice again", async () => {
        const net = new FakeNet()
        net.refuseHosts = ["a.lan:1883"]
        const { s } = setup({ brokers, stableMs: 60_000 }, net)
        await until(() => s.state === ST_CONNECTED, 10_000)
        await vi.advanceTimersByTimeAsync(61_000)
        net.refuseHosts = []
        net.current!.end()
        await until(() => net.conns.length === 2 && s.state === ST_CONNECTED, 10_000)
        expect(net.attempts).toEqual(["a.lan:1883", "b.lan:1884", "a.lan:1883"])
    })

    test("when every broker refuses, the list is walked round and round, each attempt after a backoff delay", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        const { s, rt } = setup({ brokers, retryBaseMs: 1000, retryCapMs: 4000 }, net)
        await until(() => net.attempts.length >= 7, 120_000)
        expect(net.attempts.slice(0, 7)).toEqual([
            "a.lan:1883",
            "b.lan:1884",
            "c.lan:8883",
            "a.lan:1883",
            "b.lan:1884",
            "c.lan:8883",
            "a.lan:1883",
        ])
        const delays = rt.logs.filter(l => l.includes("retrying in")).map(l => Number(/in (\d+) ms/.exec(l)![1]))
        expect(delays.length).toBeGreaterThanOrEqual(6)
        for (const d of delays) expect(d).toBeGreaterThanOrEqual(500)
        expect(s.stats.connectAttempts).toBe(net.attempts.length)
    })

    test("without MQTT_HOSTS every attempt goes to the one broker of host and port", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        setup({ host: "single.lan", port: 1999 }, net)
        await until(() => net.attempts.length >= 3, 120_000)
        expect(new Set(net.attempts)).toEqual(new Set(["single.lan:1999"]))
    })
})

describe("what telemetry reads: snapshot and the connected event", () => {
    test("onConnected listeners run once after every CONNACK, after the session is resumed, never for a refused one", async () => {
        const net = new FakeNet()
        let rc = 3
        net.script = (p, c) => scriptedBroker({ connackRc: rc })(p, c)
        const { s } = setup({}, net)
        const seen: string[] = []
        s.onConnected({ connected: () => seen.push(`${s.state} ${s.isConnected()} ${s.stats.connects}`) })
        await until(() => net.conns.length >= 2, 60_000)
        expect(seen).toEqual([])
        rc = 0
        await until(() => s.state === ST_CONNECTED, 60_000)
        net.current!.end()
        await until(() => s.stats.connects === 2, 60_000)
        expect(seen).toEqual(["connected true 1", "connected true 2"])
    })

    test("snapshot: the counters, the queue while offline, messages in flight while PUBACKs are withheld", async () => {
        const net = new FakeNet()
        net.refuse = "ECONNREFUSED"
        const { s } = setup({}, net)
        for (let i = 0; i < 3; i++) s.publish("t/a", payload("m" + i), QOS1)
        const offline = s.snapshot()
        expect([offline.queue, offline.inflight, offline.queueBytes > 0]).toEqual([3, 0, true])
        net.refuse = ""
        net.script = scriptedBroker({ puback: false })
        await until(() => s.state === ST_CONNECTED && s.snapshot().inflight === 3, 60_000)
        const up = s.snapshot()
        expect(up.queue).toBe(3)
        expect(up.stats.connects).toBe(1)
        expect(up.stats.published).toBe(3)
    })
})
