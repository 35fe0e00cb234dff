/**
 * The session's Runtime on DeviceScript: VM clock, fiber sleep, log levels.
 */
import * as ds from "@devicescript/core"
import { LOG_DEBUG, LOG_INFO, LOG_WARN, Runtime } from "../mqtt/transport"

export class DsRuntime implements Runtime {
    constructor(public minLevel: number) {}
    now(): number {
        return ds.millis()
    }
    async sleep(ms: number): Promise<void> {
        await ds.sleep(ms)
    }
    random(): number {
        return Math.random()
    }
    log(level: number, msg: string): void {
        if (level < this.minLevel) return
        if (level === LOG_DEBUG) console.debug(msg)
        else if (level === LOG_INFO) console.log(msg)
        else if (level === LOG_WARN) console.warn(msg)
        else console.error(msg)
    }
}
