/**
 * Sensirion's word framing, shared by the SHT4x, SCD4x, SHT3x and SHTC3
 * drivers: every 16-bit word on the wire is followed by a CRC-8 (polynomial
 * 0x31, x^8 + x^5 + x^4 + 1, initial value 0xFF, no reflection, no final XOR;
 * SHT4x datasheet "Checksum Calculation", SCD4x datasheet 3.11, SHT3x-DIS
 * datasheet 4.12). Datasheet example: CRC(0xBEEF) = 0x92. The AHT20 uses the
 * same CRC-8 over its six-byte answer (AHT20 datasheet 5.4 step 4).
 * Portable: imports nothing from DeviceScript.
 */
import { ERR_CRC, SensorError } from "./sensor-error"

export const CRC8_POLYNOMIAL = 0x31
export const CRC8_INIT = 0xff

export function crc8(buf: Buffer, offset: number, length: number): number {
    let crc = CRC8_INIT
    for (let i = offset; i < offset + length; i++) {
        crc ^= buf[i]
        for (let bit = 0; bit < 8; bit++) {
            crc = crc & 0x80 ? ((crc << 1) ^ CRC8_POLYNOMIAL) & 0xff : (crc << 1) & 0xff
        }
    }
    return crc
}

/**
 * Splits `count` words of 3 bytes (MSB, LSB, CRC) into numbers.
 * @throws SensorError "crc" naming the first bad word
 */
export function decodeWords(buf: Buffer, count: number, what: string): number[] {
    const words: number[] = []
    for (let i = 0; i < count; i++) {
        const off = i * 3
        const expected = crc8(buf, off, 2)
        if (buf[off + 2] !== expected) {
            throw new SensorError(ERR_CRC, `${what}: CRC mismatch in word ${i}`)
        }
        words.push((buf[off] << 8) | buf[off + 1])
    }
    return words
}

/** Frames words the way the chip sends them; used by the fake chips and for command arguments. */
export function encodeWords(words: number[]): Buffer {
    const buf = Buffer.alloc(words.length * 3)
    for (let i = 0; i < words.length; i++) {
        buf[i * 3] = (words[i] >> 8) & 0xff
        buf[i * 3 + 1] = words[i] & 0xff
        buf[i * 3 + 2] = crc8(buf, i * 3, 2)
    }
    return buf
}
