/**
 * A FIFO of byte records in storage allocated once: `data` holds the records back to back (a
 * record never wraps; the space left at the end is skipped), and `meta` holds one fixed-size slot
 * per record (offset, length, flags and four 32-bit fields, RF_1..RF_4, that the owner names).
 * Because the records are contiguous, consecutive records can be written to a socket in one
 * write. Adding and removing records never allocates, so a ring that stays full for hours does
 * not grow or fragment the heap.
 *
 * Portable: imports only bytes.ts.
 */
import { getU16, getU32, setU16, setU32 } from "./bytes"

/** Slot layout: offset u16, length u16, flags u8, four u32 fields (little-endian, native on the VM). */
const SLOT_BYTES = 21
const S_OFF = 0
const S_LEN = 2
const S_FLAGS = 4
/** The 32-bit fields of a slot (their byte offsets in it), for field() and setField(). */
export const RF_1 = 5
export const RF_2 = 9
export const RF_3 = 13
export const RF_4 = 17

/** Records are addressed by 16-bit offsets. */
export const RING_MAX_BYTES = 65535

export class PacketRing {
    readonly data: Buffer
    private readonly meta: Buffer
    /** Slot index of the oldest record. */
    private first = 0
    /** Records held. */
    count = 0
    /** Byte offset where the next record goes. */
    private tail = 0

    constructor(
        readonly capacity: number,
        readonly maxRecords: number,
    ) {
        if (capacity > RING_MAX_BYTES) throw new Error(`ring of ${capacity} bytes, max ${RING_MAX_BYTES}`)
        this.data = Buffer.alloc(capacity)
        this.meta = Buffer.alloc(maxRecords * SLOT_BYTES)
    }

    /** Slot of the i-th record from the oldest (0 = oldest). */
    slot(i: number): number {
        return (this.first + i) % this.maxRecords
    }

    /**
     * Appends a record of n bytes and returns its slot (fill data[off(slot), off(slot) + n) and
     * the fields), or -1 when no slot is free or n contiguous bytes are not free.
     */
    push(n: number): number {
        if (this.count >= this.maxRecords || n <= 0 || n > this.capacity) return -1
        let off = -1
        if (this.count === 0) {
            this.first = 0
            off = 0
        } else {
            const head = this.off(this.first)
            if (this.tail > head) {
                // Live bytes are [head, tail): room at the end, else wrap to the start.
                if (this.tail + n <= this.capacity) off = this.tail
                else if (n <= head) off = 0
            } else if (this.tail + n <= head) {
                // Wrapped: live bytes are [head, end) and [0, tail).
                off = this.tail
            }
        }
        if (off < 0) return -1
        const s = this.slot(this.count)
        const m = this.meta
        const i = s * SLOT_BYTES
        setU16(m, i + S_OFF, off)
        setU16(m, i + S_LEN, n)
        m[i + S_FLAGS] = 0
        this.tail = off + n
        this.count++
        return s
    }

    /** Removes the oldest record. */
    shift() {
        if (this.count === 0) return
        this.first = (this.first + 1) % this.maxRecords
        this.count--
        if (this.count === 0) {
            this.first = 0
            this.tail = 0
        }
    }

    /** Bytes between the oldest record's start and the tail, including skipped space: what is not free. */
    usedBytes(): number {
        if (this.count === 0) return 0
        const head = this.off(this.first)
        return this.tail > head ? this.tail - head : this.capacity - head + this.tail
    }

    /** Removes every record. */
    clear() {
        this.first = 0
        this.count = 0
        this.tail = 0
    }

    off(s: number): number {
        return getU16(this.meta, s * SLOT_BYTES + S_OFF)
    }
    len(s: number): number {
        return getU16(this.meta, s * SLOT_BYTES + S_LEN)
    }
    flags(s: number): number {
        return this.meta[s * SLOT_BYTES + S_FLAGS]
    }
    setFlags(s: number, v: number) {
        this.meta[s * SLOT_BYTES + S_FLAGS] = v
    }
    /** A 32-bit field (RF_1..RF_4) of slot s. */
    field(s: number, f: number): number {
        return getU32(this.meta, s * SLOT_BYTES + f)
    }
    setField(s: number, f: number, v: number) {
        setU32(this.meta, s * SLOT_BYTES + f, v)
    }
}
