/**
 * Builds the test and benchmark firmwares once, before any test file runs
 * (builds share .devicescript/bin and must not overlap).
 */
import { buildBenchFirmwares } from "../bench/run.ts"
import { buildFirmware } from "../host-sim/build-firmware.ts"

export default function setup() {
    buildFirmware("test/firmware/burst.ts", "burst.devs")
    buildFirmware("test/firmware/standby.ts", "standby.devs")
    buildBenchFirmwares()
}
