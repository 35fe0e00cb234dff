import { describe, test } from "@devicescript/test"
import { encodedPublishLength, remainingLengthSize, writeRemainingLength } from "../../firmware/mqtt/packet"
import { ENCODE_VECTORS, REMAINING_LENGTH_VECTORS, hexOf, hexToBytes } from "../vectors/codec-vectors"
import { ENCODE_ERROR_VECTORS } from "../vectors/encode-error-vectors"
import { DECODE_VECTORS, MALFORMED_VECTORS, StreamVector } from "../vectors/decode-vectors"
import { decodeOne, ringPathHex, textBuffer, tryEncode } from "../vectors/run-vectors"
import { check, yieldToVm } from "./util"

// One VM test per vector table, not per vector: a closure per vector runs the VM out of memory.
// Each check carries the vector name, so a failure still says which row broke.

const LIMIT = 8192

async function checkStreams(vectors: StreamVector[]) {
    for (let i = 0; i < vectors.length; i++) {
        const v = vectors[i]
        check(`${v.name}: ${decodeOne(hexToBytes(v.bytes), LIMIT)}`, `${v.name}: ${v.expect}`)
        await yieldToVm()
    }
}

export function codecSuites() {
    describe("codec on the VM", () => {
        test("C07 remaining length at every boundary (0 .. 268435455)", async () => {
            for (let i = 0; i < REMAINING_LENGTH_VECTORS.length; i++) {
                const v = REMAINING_LENGTH_VECTORS[i]
                const b = Buffer.alloc(4)
                const end = writeRemainingLength(b, 0, v.value)
                check(`${v.value}: ${b.slice(0, end).toString("hex")}`, `${v.value}: ${hexOf(v.bytes)}`)
                check(remainingLengthSize(v.value), end)
            }
        })
        test("C05 C14 C19-C35 C41-C52 C65-C77 golden bytes of every encoder", async () => {
            for (let i = 0; i < ENCODE_VECTORS.length; i++) {
                const v = ENCODE_VECTORS[i]
                check(`${v.name}: ${tryEncode(v)}`, `${v.name}: ${hexOf(v.bytes)}`)
                if (v.kind === "publish") {
                    // The path every reading takes (the outbox's rings) gives the same bytes.
                    check(`${v.name}: ring ${ringPathHex(v)}`, `${v.name}: ring ${hexOf(v.bytes)}`)
                    // C14: queue accounting agrees with what goes on the wire
                    const n = encodedPublishLength(v.topic, textBuffer(v.payload).length, v.qos)
                    check(`${v.name}: ${n}`, `${v.name}: ${hexOf(v.bytes).length / 2}`)
                }
                await yieldToVm()
            }
        })
        test("C02 C11 C25 C28 C32 C33 C35 C44 C46-C48 C67-C70 C74 invalid calls throw", async () => {
            for (let i = 0; i < ENCODE_ERROR_VECTORS.length; i++) {
                const v = ENCODE_ERROR_VECTORS[i]
                const r = tryEncode(v)
                check(`${v.name}: ${r.indexOf("throws: ") === 0}`, `${v.name}: true`)
                await yieldToVm()
            }
        })
        test("C03 C14 C15 C37-C39 C52-C55 C72 C75 decoding valid server packets", async () => {
            await checkStreams(DECODE_VECTORS)
        })
        test("C01 C02 C06-C11 C37 C38 C44 C46 C47 C72 malformed input gives the exact error", async () => {
            await checkStreams(MALFORMED_VECTORS)
        })
    })
}
