/**
 * The session's Runtime on DeviceScript: VM clock, fiber sleep, log levels.
 */
import * as ds from "@devicescript/core"
import { getU32 } from "../mqtt/bytes"
import { LOG_DEBUG, LOG_INFO, LOG_WARN, Runtime } from "../mqtt/transport"

export class DsRuntime implements Runtime {
    private readonly rnd = Buffer.alloc(4)
    constructor(public minLevel: number) {}
    now(): number {
        return ds.millis()
    }
    async sleep(ms: number): Promise<void> {
        await ds.sleep(ms)
    }
    /**
     * From the hardware random source (`Buffer.fillRandom`, see time/boot-id.ts), not Math.random():
     * the simulator's VM seeds Math.random alike in every instance, so every simulated device drew the
     * same backoff and a fleet reconnected in lockstep (measured: 10 devices back at the same 0.1 s).
     */
    random(): number {
        const b = this.rnd
        ;(b as any).fillRandom()
        return getU32(b, 0) / 4294967296
    }
    log(level: number, msg: string): void {
        if (level < this.minLevel) return
        if (level === LOG_DEBUG) console.debug(msg)
        else if (level === LOG_INFO) console.log(msg)
        else if (level === LOG_WARN) console.warn(msg)
        else console.error(msg)
    }
}
