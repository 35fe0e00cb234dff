import { describe, test } from "@devicescript/test"
import { bytesChecks, outboxVectors, publishThroughOutbox } from "../vectors/bytes-vectors"
import { ENCODE_VECTORS, hexOf } from "../vectors/codec-vectors"
import { check, yieldToVm } from "./util"

export function bytesSuites() {
    describe("native byte copies and the outbox on the VM", () => {
        test("blit, blitUtf8, copyOut, getU16/getU32/setU16/setU32", () => {
            const cs = bytesChecks()
            for (let i = 0; i < cs.length; i++)
                check(`${cs[i].name}: ${cs[i].actual}`, `${cs[i].name}: ${cs[i].expected}`)
        })
        test("PUBLISH vectors through the outbox", async () => {
            const vs = outboxVectors(ENCODE_VECTORS)
            for (let i = 0; i < vs.length; i++) {
                const v = vs[i]
                check(`${v.name}: ${publishThroughOutbox(v)}`, `${v.name}: ${hexOf(v.bytes)}`)
                await yieldToVm()
            }
        })
    })
}
