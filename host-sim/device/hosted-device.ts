/**
 * One simulated device as a host process runs it: the VM (vm-device.ts) and its simulated sensors,
 * and the controls a scenario or the dashboard sends it. Shared by the two ways of hosting devices:
 * one per process (device-main.ts) and many per process (device-host.ts).
 */
import { boardProfile, type BoardId } from "../board/profiles.ts"
import { SimSensors, type SensorMode } from "../sensors/sim-sensors.ts"
import type { DevsVM } from "../vm/load-vm.ts"
import { VmDevice, type SettingValue } from "./vm-device.ts"

export interface DeviceProcessConfig {
    deviceId: string
    bytecodePath: string
    settings: Record<string, SettingValue>
    sensors: string[]
    seed: number
    /** Board profile (host-sim/board/profiles.ts); absent: the plain simulator. */
    board?: BoardId
    /** Model Wi-Fi on the plain simulator too (a wifi-down scenario). */
    wifi?: boolean
}

/** A control from the parent: a sensor fault, the Wi-Fi access point, or a restart from flash. */
export interface DeviceControl {
    sensor?: string
    mode?: SensorMode
    wifi?: "down" | "up"
    restart?: "reboot" | "powercut"
    offMs?: number
}

export interface HostedDeviceOptions {
    bytecode: Uint8Array
    onLog: (line: string) => void
    onSocketWrite?: (bytes: Uint8Array, atMs: number) => void
    /** Sees every VM instance the device boots (the host's meter wraps its tick). */
    onVm?: (vm: DevsVM) => void
}

export class HostedDevice {
    readonly device: VmDevice
    private readonly sensors: SimSensors

    constructor(
        readonly config: DeviceProcessConfig,
        private readonly opts: HostedDeviceOptions,
    ) {
        this.device = new VmDevice({
            deviceId: config.deviceId,
            bytecode: opts.bytecode,
            settings: config.settings,
            onLog: opts.onLog,
            onSocketWrite: opts.onSocketWrite,
            onVm: opts.onVm,
            board: boardProfile(config.board),
            wifi: config.wifi,
        })
        this.sensors = new SimSensors(this.device.bus, config.sensors, config.seed)
    }

    /** Sensors first: the firmware's role clients find their servers as soon as it runs. */
    async start(): Promise<void> {
        this.sensors.start()
        await this.device.start()
    }

    control(m: DeviceControl): void {
        if (m.wifi) this.device.wifi.setAccessPoint(m.wifi === "up")
        if (m.restart) this.device.restart(m.restart, m.offMs ?? 0)
        if (m.sensor && m.mode) {
            this.sensors.setMode(m.sensor, m.mode)
            this.opts.onLog(`sim: sensor ${m.sensor} -> ${m.mode}`)
        }
    }

    /** The VM stops and its connection is closed (as the kernel closes an ended process's sockets). */
    stop(): void {
        this.sensors.stop()
        this.device.stop()
    }
}
