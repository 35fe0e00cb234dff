/**
 * The one error type our chip drivers throw. Drivers fail fast with a code;
 * the I2CSensor adapter is the one place that turns codes into a sensor
 * status and recovers. Portable: imports nothing from DeviceScript.
 */

/** The chip did not acknowledge its address or a byte (I2C NACK). */
export const ERR_NACK = "nack"
/** A Sensirion word arrived with a wrong CRC-8: a corrupted transfer. */
export const ERR_CRC = "crc"
/** The chip answered but never produced a result in its datasheet time. */
export const ERR_TIMEOUT = "timeout"
/** Nothing answered at the address while the driver was starting. */
export const ERR_NOT_FOUND = "not_found"
/** Something answered, but it is not the chip that was configured. */
export const ERR_BAD_ID = "bad_id"
/** Not the chip's fault: a bug in our code threw something else. */
export const ERR_EXCEPTION = "exception"

export class SensorError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message)
        this.name = "SensorError"
    }
}

/** "0x76": addresses and ids are read by people as hex. */
export function hexByte(n: number): string {
    const digits = "0123456789abcdef"
    return "0x" + digits.charAt((n >> 4) & 0xf) + digits.charAt(n & 0xf)
}

/** "f896": 16-bit words (serial numbers) as four hex digits. */
export function hexWord(n: number): string {
    return hexByte((n >> 8) & 0xff).slice(2) + hexByte(n & 0xff).slice(2)
}
