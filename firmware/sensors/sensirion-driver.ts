/**
 * Base of the Sensirion drivers (SHT3x, SHTC3, SCD4x, SHT4x): 16-bit commands, and answers as
 * 16-bit words each followed by its CRC-8 (sensirion-crc.ts).
 */
import { ChipDriver } from "./chip-driver"
import { decodeWords } from "./sensirion-crc"

export abstract class SensirionDriver extends ChipDriver {
    /** Writes a 16-bit command, most significant byte first. */
    protected async command(cmd: number): Promise<void> {
        await this.writeBuf(Buffer.from([cmd >> 8, cmd & 0xff]))
    }

    /**
     * Reads `count` words and checks their CRCs; `what` names them in errors ("measurement").
     * @throws SensorError "crc"
     */
    protected async words(count: number, what: string): Promise<number[]> {
        return decodeWords(await this.readBuf(count * 3), count, this.where() + " " + what)
    }
}
