/**
 * Checks of the firmware's remainders and time stamps, run in Node (test/mqtt/mod32.test.ts) and on
 * the VM (test/device/arith.ts). DeviceScript's `%` converts both operands to int32
 * (firmware/mqtt/mod32.ts), so before issue 23 every `now % 2^32` was 0 on the VM while Node's tests
 * passed: these checks make the VM answer the same questions with the same expected text.
 */
import { brokerOf, shuffleBrokers } from "../../firmware/mqtt/brokers"
import { mod, U32 } from "../../firmware/mqtt/mod32"
import { MSG_DONE, MSG_DROPPED } from "../../firmware/mqtt/outbox-codes"
import { Outbox } from "../../firmware/mqtt/outbox"
import { utf8Length } from "../../firmware/mqtt/utf8"
import type { BytesCheck } from "./bytes-vectors"

/** Past 2^32 ms (49.7 days of uptime): the 32-bit time fields wrap here. */
const LATE_MS = 5000000000

export function arithChecks(): BytesCheck[] {
    const out: BytesCheck[] = []
    out.push({
        name: "mod by 2^32 of a value past it, of a negative value, of 1e12",
        actual: `${mod(U32 + 5, U32)} ${mod(-3, U32)} ${mod(1e12, U32)}`,
        expected: "5 4294967293 3567587328",
    })
    out.push({ name: "mod of small ints is %", actual: `${mod(17, 5)} ${mod(0, 7)}`, expected: "2 0" })

    // The window's send time, past the wrap, and the round trip it gives.
    const o = new Outbox(
        { queueMaxBytes: 512, queueMaxCount: 4, windowBytes: 512, maxInflight: 4, maxPacketBytes: 512 },
        () => {},
    )
    const t = o.add("t", utf8Length("t"), Buffer.alloc(2), 0, LATE_MS, 1)
    o.stage(LATE_MS, 1e6, 100, () => false)
    o.window.nextRun(1024)
    o.window.runWritten(LATE_MS + 7)
    const sentAt = o.window.oldestSentAt()
    const acked = o.window.ack(o.window.lastId)
    out.push({
        name: "a PUBLISH written past 2^32 ms keeps its send time mod 2^32, and its ticket's outcome",
        actual: `${sentAt} ${acked} ${mod(LATE_MS + 250 - acked, U32)} ${o.stateOf(t) === MSG_DONE}`,
        expected: "705032711 705032711 243 true",
    })

    // A queued message expires after its ttl, also across the wrap; another ticket's outcome is its own.
    const q = new Outbox(
        { queueMaxBytes: 512, queueMaxCount: 4, windowBytes: 512, maxInflight: 4, maxPacketBytes: 512 },
        () => {},
    )
    const wrapAt = U32 - 500
    const a = q.add("t", utf8Length("t"), Buffer.alloc(2), 1000, wrapAt, 1)
    const b = q.add("t", utf8Length("t"), Buffer.alloc(2), 0, wrapAt, 1)
    q.stage(wrapAt + 999, 1e6, 100, () => false)
    const early = q.stateOf(a)
    q.window.clear("stopped")
    const c = q.add("t", utf8Length("t"), Buffer.alloc(2), 1000, wrapAt, 1)
    q.stage(wrapAt + 1001, 1e6, 100, () => false)
    out.push({
        name: "ttl: not expired at 999 ms, expired at 1001 ms across the 2^32 wrap; outcomes by ticket",
        actual: `${early !== MSG_DROPPED} ${q.stateOf(c) === MSG_DROPPED} ${q.dropReason(c)} ${q.dropReason(b)} ${q.dropReason(a)}`,
        expected: "true true expired stopped stopped",
    })

    // MQTT_HOSTS shuffle (MINSTD): the order a device takes must be the one the Node tests assert.
    const names = ["vm1", "sensor-kitchen", "a-very-long-device-name-0123456789abcdef"]
    for (const n of names) {
        const list = [
            brokerOf("a", 1, false),
            brokerOf("b", 1, false),
            brokerOf("c", 1, false),
            brokerOf("d", 1, false),
        ]
        shuffleBrokers(list, n)
        let order = ""
        for (const x of list) order += x.host
        out.push({ name: `shuffleBrokers order for '${n}'`, actual: order, expected: SHUFFLED[n] })
    }
    return out
}

/** Computed with BigInt arithmetic by test/mqtt/mod32.test.ts (a reference independent of `mod`). */
export const SHUFFLED: Record<string, string> = {
    vm1: "dabc",
    "sensor-kitchen": "dcba",
    "a-very-long-device-name-0123456789abcdef": "bcda",
}
