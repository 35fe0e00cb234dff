/**
 * What the simulator, its scenarios and the dashboard's controls hold of a simulated device, however
 * it is hosted: a process of its own (sim-device.ts) or a VM among many in one process
 * (device-pool.ts).
 */
import type { ScenarioTarget } from "../chaos/scenario.ts"
import type { DeviceProcessConfig } from "./hosted-device.ts"

export interface DeviceHandle extends ScenarioTarget {
    readonly config: DeviceProcessConfig
    /** Powered: started and neither stopped nor killed since. */
    readonly running: boolean
    /** Boots the device afresh: settings written and bytecode deployed again, new flash. */
    start(): void
    /** A planned stop: the VM ends and its connection is closed (no DISCONNECT: the broker publishes the Will). */
    stop(): Promise<void>
    /** A power cut: the VM dies without warning. */
    kill(): Promise<void>
}

/** The device's DEVICE_NAME: its name on the broker and in every report. */
export function deviceName(d: DeviceHandle): string {
    return String(d.config.settings.DEVICE_NAME)
}
