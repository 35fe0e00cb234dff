/**
 * The one fact about a DeviceScript image's layout the project budgets for: where its function code
 * ends. The header (runtime devs_format.h) is 32 fixed bytes, then sections of {start u32, length u32};
 * section 0 holds the function descriptors, section 1 the function code. The runtime's verifier
 * refuses an image whose function code ends at or past 64 KiB from the image start (pc is 16 bits:
 * verify.c `CHECK(1051, prevProc < 0x10000)`), and `devs build` fails with "verification error: -1051".
 * The whole image may be larger (strings and the rest follow the code).
 */

/** The function code must end below this offset, on every board. */
export const CODE_END_LIMIT_BYTES = 0x10000

const FIXED_HEADER_BYTES = 32
const SECTION_BYTES = 8
const CODE_SECTION = 1

/** Offset in the image where the function code ends. */
export function codeEnd(image: Uint8Array): number {
    const v = new DataView(image.buffer, image.byteOffset, image.byteLength)
    const at = FIXED_HEADER_BYTES + CODE_SECTION * SECTION_BYTES
    return v.getUint32(at, true) + v.getUint32(at + 4, true)
}
