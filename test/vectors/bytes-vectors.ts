/**
 * The native-copy helpers (firmware/mqtt/bytes.ts) and the outbox's in-place encoding, as checks
 * that return comparable strings: run by vitest (test/mqtt/bytes.test.ts) and on the VM
 * (test/device/bytes.ts), so both runtimes' Buffer and string copies are held to the same bytes.
 * Portable: imports only the firmware.
 */
import { blit, blitUtf8, copyOut, getU16, getU32, setU16, setU32 } from "../../firmware/mqtt/bytes"
import { Outbox } from "../../firmware/mqtt/outbox"
import { ADD_RETAIN } from "../../firmware/mqtt/outbox-codes"
import { utf8Length } from "../../firmware/mqtt/utf8"
import { EncodeVector } from "./codec-vectors"
import { textBuffer } from "./run-vectors"

export interface BytesCheck {
    name: string
    actual: string
    expected: string
}

function pattern(n: number, start: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff
    return b
}

/** blit, blitUtf8, copyOut, getU16/getU32/setU16/setU32 at edges. */
export function bytesChecks(): BytesCheck[] {
    const out: BytesCheck[] = []
    const dst = Buffer.alloc(8)
    const end = blit(dst, 2, pattern(6, 0xa0), 1, 4)
    out.push({
        name: "blit copies n bytes from an offset to an offset",
        actual: `${dst.toString("hex")} ${end}`,
        expected: "0000a1a2a3a40000 6",
    })
    const z = Buffer.alloc(3)
    blit(z, 0, pattern(3, 1), 0, 0)
    out.push({ name: "blit of 0 bytes writes nothing", actual: z.toString("hex"), expected: "000000" })
    const big = pattern(3000, 7)
    const bigDst = Buffer.alloc(3000)
    blit(bigDst, 0, big, 0, 3000)
    let same = true
    for (let i = 0; i < 3000; i++) if (bigDst[i] !== big[i]) same = false
    out.push({ name: "blit of 3000 bytes in one call", actual: `${same}`, expected: "true" })
    const u = Buffer.alloc(12)
    const s = "a\u00e9\u20ac\uD83D\uDE00" // 1 + 2 + 3 + 4 bytes
    const n = utf8Length(s)
    const e = blitUtf8(u, 1, s, n)
    out.push({
        name: "blitUtf8 writes the UTF-8 bytes of 1- to 4-byte characters",
        actual: `${u.toString("hex")} ${n} ${e}`,
        expected: "0061c3a9e282acf09f988000 10 11",
    })
    const c = pattern(10, 0x10)
    const part = copyOut(c, 3, 7)
    c[4] = 0xff
    out.push({ name: "copyOut is a copy, not a view", actual: part.toString("hex"), expected: "13141516" })
    const w = Buffer.alloc(6)
    setU32(w, 1, 4294967295)
    out.push({
        name: "setU32 / getU32 of 2^32-1",
        actual: `${w.toString("hex")} ${getU32(w, 1)}`,
        expected: "00ffffffff00 4294967295",
    })
    setU32(w, 1, 16909060)
    out.push({
        name: "setU32 is little-endian",
        actual: `${w.toString("hex")} ${getU32(w, 1)}`,
        expected: "000403020100 16909060",
    })
    setU16(w, 4, 65534)
    out.push({
        name: "setU16 / getU16 of 65534",
        actual: `${w.toString("hex")} ${getU16(w, 4)}`,
        expected: "00040302feff 65534",
    })
    return out
}

/**
 * A PUBLISH encode vector taken through the outbox: encoded into the queue ring, moved into the
 * window with its packet id patched in, written as one run; with dup, rewound and written again.
 * Returns the hex of the bytes handed to the socket (the vector's expected bytes).
 */
export function publishThroughOutbox(v: EncodeVector): string {
    const o = new Outbox(
        { queueMaxBytes: 512, queueMaxCount: 4, windowBytes: 512, maxInflight: 4, maxPacketBytes: 512 },
        () => {},
    )
    const topic = v.topic === undefined ? "" : v.topic
    const qos = v.qos === undefined ? 0 : v.qos
    const wanted = v.id === undefined ? 0 : v.id
    o.add(topic, utf8Length(topic), textBuffer(v.payload), 0, 0, qos | (v.retain ? ADD_RETAIN : 0))
    o.window.seedIds(wanted > 0 ? wanted - 1 : 0)
    o.stage(0, 1e6, 100, () => false)
    let hex = ""
    if (!o.window.nextRun(1024)) return "nothing staged"
    hex = copyOut(o.window.ring.data, o.window.runFrom, o.window.runTo).toString("hex")
    o.window.runWritten(0)
    if (v.dup) {
        o.window.rewind()
        if (!o.window.nextRun(1024)) return "nothing rewound"
        hex = copyOut(o.window.ring.data, o.window.runFrom, o.window.runTo).toString("hex")
    }
    return hex
}

/** The PUBLISH vectors the outbox can carry: QoS 0 or 1 (this client never publishes QoS 2). */
export function outboxVectors(all: EncodeVector[]): EncodeVector[] {
    const r: EncodeVector[] = []
    for (const v of all)
        if (v.kind === "publish" && v.bytes !== undefined && (v.qos === undefined || v.qos <= 1) && !(v.dup && !v.qos))
            r.push(v)
    return r
}
