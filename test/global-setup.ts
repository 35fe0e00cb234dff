/**
 * Builds the production firmware (.devicescript/firmware.devs, what the simulator and the e2e
 * tests run) and the test and benchmark firmwares once, before any test file runs, so
 * `npx vitest run <file>` never runs a stale image (builds share .devicescript/bin and must not overlap).
 */
import { buildBenchFirmwares } from "../bench/run.ts"
import { buildFirmware } from "../host-sim/build-firmware.ts"

export default function setup() {
    buildFirmware("firmware/main.ts", "firmware.devs")
    buildFirmware("test/firmware/burst.ts", "burst.devs")
    buildFirmware("test/firmware/standby.ts", "standby.devs")
    buildBenchFirmwares()
}
