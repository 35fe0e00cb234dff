/** Node-only helpers for the codec tests: a seeded PRNG and mqtt-packet as a reference parser. */
import * as mqttPacket from "mqtt-packet"

/** mulberry32 (shared with the simulator's sensor models): seeded, so fuzz runs are reproducible. */
export { prng } from "../../host-sim/sensors/models.ts"

export function randInt(rnd: () => number, lo: number, hi: number): number {
    return lo + Math.floor(rnd() * (hi - lo + 1))
}

export interface RefResult {
    packets: mqttPacket.Packet[]
    errors: string[]
}

/** Parses bytes with mqtt-packet (protocol 3.1.1), the reference implementation. */
export function refParse(bytes: Buffer): RefResult {
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    const out: RefResult = { packets: [], errors: [] }
    parser.on("packet", (p: mqttPacket.Packet) => out.packets.push(p))
    parser.on("error", (e: Error) => out.errors.push(e.message))
    parser.parse(bytes)
    return out
}

export function refGenerate(p: mqttPacket.Packet): Buffer {
    return mqttPacket.generate(p, { protocolVersion: 4 })
}

export function hex(b: Buffer): string {
    return b.toString("hex")
}
