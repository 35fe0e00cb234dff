/**
 * The supervisor's guesses from how sessions end (firmware/mqtt/heuristics.ts), one row per case.
 */
import { describe, expect, test } from "vitest"
import { closedByBroker, earnedBackoffReset, endedByViolation, isShortSession } from "../../firmware/mqtt/heuristics.ts"

const RESET = "tcp://broker:1883: read ECONNRESET"

describe("a session that delivered restarts the backoff when the link, not the broker, ended it (issue 23)", () => {
    // [delivered, cause, transport close reason, earned]
    const rows: [boolean, string, string, boolean][] = [
        [true, "connection_lost", RESET, true], // a NAT or proxy reset after a PUBACK
        [true, "connection_lost", "recv error", true], // ESP32's report of a reset
        [true, "connection_lost", "sock error: -14", true], // Pico W's
        [true, "keepalive_timeout", "", true], // the link stalled after delivering
        [true, "write_failed", RESET, true],
        [true, "connection_lost", "", false], // the broker's FIN: a takeover's sessions deliver too (S12)
        [true, "connection_lost", "recv without buf?", false], // Pico W's report of the broker's FIN
        [true, "protocol_error: invalid flags", "", false], // a broker sending garbage keeps backing off
        [false, "connection_lost", RESET, false], // nothing acknowledged: no proof the broker works
        [false, "keepalive_timeout", "", false],
    ]
    for (const [delivered, cause, reason, earned] of rows)
        test(`${delivered ? "delivered" : "nothing acknowledged"}, ${cause}, closed by '${reason}': ${earned ? "earned" : "not earned"}`, () => {
            expect(earnedBackoffReset(delivered, cause, reason)).toBe(earned)
        })
})

describe("the other guesses", () => {
    test("a session closed by the link within 5 s of CONNACK is short; any other cause is not", () => {
        expect(isShortSession(4999, "connection_lost")).toBe(true)
        expect(isShortSession(5000, "connection_lost")).toBe(false)
        expect(isShortSession(100, "keepalive_timeout")).toBe(false)
    })

    test("only a close without an error (or Pico W's 'recv without buf?') is the broker's close", () => {
        expect(closedByBroker("")).toBe(true)
        expect(closedByBroker("recv without buf?")).toBe(true)
        expect(closedByBroker(RESET)).toBe(false)
    })

    test("a protocol violation is recognised by its cause's prefix", () => {
        expect(endedByViolation("protocol_error: malformed remaining length")).toBe(true)
        expect(endedByViolation("connection_lost")).toBe(false)
    })
})
