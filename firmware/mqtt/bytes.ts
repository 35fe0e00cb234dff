/**
 * Native byte copies on both runtimes: the one place that knows how each runtime moves bytes in
 * bulk. On the DeviceScript VM, `Buffer.blitAt` is a memcpy in C (a handful of opcodes whatever
 * the length, and a string source is copied as its UTF-8 bytes); an index-by-index loop costs
 * several opcodes per byte and counts against the VM's InfiniteLoop watchdog (128 K opcodes per
 * fiber run). In Node, `Buffer.copy` and `Buffer.write` do the same. The golden vectors in
 * test/vectors/bytes-vectors.ts run through these helpers in Node and on the VM.
 *
 * Callers stay within bounds: blitAt clamps a copy that runs past either end (Node's copy clamps
 * too), and nothing here relies on that.
 *
 * Portable: imports nothing.
 */

/** Copies n bytes of src from srcOffset into dst at dstOffset; returns dstOffset + n. */
export function blit(dst: Buffer, dstOffset: number, src: Buffer, srcOffset: number, n: number): number {
    if (n <= 0) return dstOffset
    const d = dst as any
    if (d.blitAt) d.blitAt(dstOffset, src, srcOffset, n)
    else (src as any).copy(dst, dstOffset, srcOffset, srcOffset + n)
    return dstOffset + n
}

/**
 * Writes the first n UTF-8 bytes of s into dst at offset; returns offset + n. n is the string's
 * checked UTF-8 length (utf8Length): s holds no lone surrogate, so both runtimes produce the same
 * bytes.
 */
export function blitUtf8(dst: Buffer, offset: number, s: string, n: number): number {
    if (n <= 0) return offset
    const d = dst as any
    if (d.blitAt) d.blitAt(offset, s, 0, n)
    else d.write(s, offset, n, "utf8")
    return offset + n
}

/**
 * A copy of src[from, to) that the caller may keep or hand to a socket while src changes: the VM's
 * slice() already copies, Node's shares memory.
 */
export function copyOut(src: Buffer, from: number, to: number): Buffer {
    const b = Buffer.alloc(to - from)
    blit(b, 0, src, from, to - from)
    return b
}

/**
 * Little-endian unsigned fields of internal tables (never the wire). On the VM `getAt`/`setAt`
 * with a literal format compile to one buffer opcode (a byte-by-byte version costs about 50
 * opcodes a field); they exist only when called on a value typed Buffer, so these helpers call
 * them directly, and Node gets the same two methods from installNodeBufferNatives below.
 * The caller keeps v within the field's range.
 */
export function getU16(b: Buffer, i: number): number {
    return b.getAt(i, "u16")
}
export function setU16(b: Buffer, i: number, v: number) {
    b.setAt(i, "u16", v)
}
export function getU32(b: Buffer, i: number): number {
    return b.getAt(i, "u32")
}
export function setU32(b: Buffer, i: number, v: number) {
    b.setAt(i, "u32", v)
}

/**
 * Node has no Buffer.getAt/setAt: give it the two formats used here, little-endian as on the VM.
 * Node alone has a static Buffer.byteLength, so the VM skips this.
 */
function installNodeBufferNatives() {
    const B = Buffer as any
    if (typeof B.byteLength !== "function" || B.prototype.getAt) return
    B.prototype.getAt = function (i: number, fmt: string): number {
        return fmt === "u16" ? this.readUInt16LE(i) : this.readUInt32LE(i)
    }
    B.prototype.setAt = function (i: number, fmt: string, v: number) {
        if (fmt === "u16") this.writeUInt16LE(v, i)
        else this.writeUInt32LE(v, i)
    }
}
installNodeBufferNatives()
