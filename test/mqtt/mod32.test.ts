/**
 * firmware/mqtt/mod32.ts and the time stamps built on it, in Node; the same checks run on the VM
 * (test/device/arith.ts), where `%` is int32 (issue 23).
 */
import { describe, expect, test } from "vitest"
import { arithChecks, SHUFFLED } from "../vectors/arith-vectors.ts"

/** MINSTD as firmware/mqtt/brokers.ts does it, in BigInt: independent of `mod` and of doubles. */
function shuffleReference(key: string): string {
    const M = 2147483647n
    let h = 1n
    for (let i = 0; i < key.length; i++) h = (h * 31n + BigInt(key.charCodeAt(i))) % M
    if (h === 0n) h = 1n
    const l = ["a", "b", "c", "d"]
    for (let i = l.length - 1; i > 0; i--) {
        h = (h * 48271n) % M
        const j = Number(h % BigInt(i + 1))
        ;[l[i], l[j]] = [l[j], l[i]]
    }
    return l.join("")
}

describe("remainders the same on both runtimes", () => {
    for (const c of arithChecks()) test(c.name, () => expect(c.actual).toBe(c.expected))

    test("the expected shuffle orders are MINSTD's, computed in BigInt", () => {
        for (const [key, order] of Object.entries(SHUFFLED)) expect(order).toBe(shuffleReference(key))
    })
})
