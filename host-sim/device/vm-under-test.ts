/**
 * Runs the firmware bytecode in a VM process against a given broker port and
 * collects its log, for tests that need the real device code.
 */
import { EventEmitter } from "node:events"
import { DEFAULT_BYTECODE } from "../simulation.ts"
import { SimDevice } from "./sim-device.ts"
import type { SettingValue } from "./vm-device.ts"
import type { DeviceProcessConfig } from "./device-main.ts"
import { SIM_QUANTITIES } from "../sensors/sim-sensors.ts"
import { boardProfile, deviceBrokerHost } from "../board/profiles.ts"

let nextId = 1

/** Device log lines kept with a failed test's error. */
export const DEVICE_LOG_TAIL = 60

/**
 * `e` with the device's last DEVICE_LOG_TAIL log lines (and `context`, what the test did last)
 * appended to its message: what the device said last is where a failure is explained.
 */
export function withDeviceLog(e: unknown, vm: VmUnderTest, context = ""): Error {
    const tail = vm.log.slice(-DEVICE_LOG_TAIL).join("\n")
    const message = e instanceof Error ? e.message : String(e)
    return new Error(
        `${message}${context ? `\n${context}` : ""}\n--- ${vm.name}'s last ${DEVICE_LOG_TAIL} log lines ---\n${tail}`,
        { cause: e },
    )
}

export class VmUnderTest extends EventEmitter {
    readonly log: string[] = []
    readonly device: SimDevice

    /**
     * Settings default to a fast test profile (1 s period, 100-400 ms retries); with
     * `productDefaults` only the broker and the device name are set, so every other setting is
     * the firmware's own default. `board` and `wifi` pick a board profile (host-sim/board/).
     */
    constructor(
        port: number,
        settings: Record<string, SettingValue> = {},
        host = "127.0.0.1",
        bytecodePath = DEFAULT_BYTECODE,
        extraCaFile = "",
        opts: Pick<DeviceProcessConfig, "board" | "wifi"> & { productDefaults?: boolean } = {},
    ) {
        super()
        const n = nextId++
        this.device = new SimDevice(
            {
                deviceId: (0xe2e00000 + process.pid * 16 + n).toString(16).slice(-8).padStart(8, "0") + "0000beef",
                bytecodePath,
                settings: {
                    MQTT_HOST: opts.board ? deviceBrokerHost(boardProfile(opts.board), host) : host,
                    MQTT_PORT: port,
                    DEVICE_NAME: `vm${n}`,
                    ...(opts.productDefaults
                        ? {}
                        : { PERIOD_MS: 1000, KEEPALIVE_S: 30, RETRY_BASE_MS: 100, RETRY_CAP_MS: 400 }),
                    ...settings,
                },
                sensors: SIM_QUANTITIES,
                seed: n,
                ...(opts.board ? { board: opts.board } : {}),
                ...(opts.wifi ? { wifi: opts.wifi } : {}),
            },
            line => {
                this.log.push(line)
                this.emit("line", line)
            },
            extraCaFile,
        )
    }

    get name(): string {
        return String(this.device.config.settings.DEVICE_NAME)
    }

    start(): this {
        this.device.start()
        return this
    }

    /** Lines that show the VM crashed or restarted its program. */
    panics(): string[] {
        return this.log.filter(l => /PANIC|Exception|InfiniteLoop|OutOfMemory|restarting/i.test(l))
    }

    waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
        const found = this.log.find(l => re.test(l))
        if (found) return Promise.resolve(found)
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.off("line", on)
                reject(new Error(`no device log line matching ${re} within ${timeoutMs} ms`))
            }, timeoutMs)
            const on = (l: string) => {
                if (!re.test(l)) return
                clearTimeout(timer)
                this.off("line", on)
                resolve(l)
            }
            this.on("line", on)
        })
    }

    async stop(): Promise<void> {
        await this.device.stop()
    }
}
