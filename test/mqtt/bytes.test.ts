import { describe, expect, test } from "vitest"
import { bytesChecks, outboxVectors, publishThroughOutbox } from "../vectors/bytes-vectors.ts"
import { ENCODE_VECTORS, hexOf } from "../vectors/codec-vectors.ts"

describe("native byte copies (the same checks run on the VM)", () => {
    for (const c of bytesChecks()) test(c.name, () => expect(c.actual).toBe(c.expected))
})

describe("PUBLISH vectors through the outbox: encoded in place, id patched, DUP set on rewind", () => {
    const vs = outboxVectors(ENCODE_VECTORS)
    test("there are QoS 0 and QoS 1 vectors to run", () => expect(vs.length).toBeGreaterThanOrEqual(4))
    for (const v of vs) test(v.name, () => expect(publishThroughOutbox(v)).toBe(hexOf(v.bytes!)))
})
