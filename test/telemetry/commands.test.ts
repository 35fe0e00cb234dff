import { describe, expect, test } from "vitest"
import { parseDecimal, parseSignedDecimal } from "../../firmware/decimal.ts"
import { parsePeriodCommand } from "../../firmware/telemetry/downlink.ts"
import { DECIMAL_VECTORS, PERIOD_VECTORS } from "../vectors/command-vectors.ts"

describe("downlink commands are parsed strictly, the same way as on the VM (test/device/commands.ts)", () => {
    test.each(PERIOD_VECTORS.map(v => [JSON.stringify(v.text), v] as const))("period_ms %s", (_, v) => {
        const r = parsePeriodCommand(v.text)
        expect(r.ok).toBe(v.ok)
        expect(r.periodMs).toBe(v.periodMs)
        expect(r.message).toMatch(v.ok ? /set to/ : /rejected period_ms .*100\.\.3600000/)
        // The answer is plain printable ASCII: a VM's JSON of U+FFFD or NUL would not read back as text.
        expect(r.message).toMatch(/^[\x20-\x7e]*$/)
    })
    test("a payload longer than a command is refused before it is trimmed", () => {
        const r = parsePeriodCommand(" ".repeat(600) + "2000")
        expect(r.ok).toBe(false)
    })
    test.each(DECIMAL_VECTORS.map(v => [v.text, v.value] as const))("parseDecimal('%s') is %s", (text, value) => {
        expect(parseDecimal(text, 15)).toBe(value)
    })
    test("a setting may be negative where its bounds allow it", () => {
        expect(parseSignedDecimal("-1", 15)).toBe(-1)
        expect(parseSignedDecimal("--1", 15)).toBeNaN()
        expect(parseSignedDecimal("-", 15)).toBeNaN()
    })
})
