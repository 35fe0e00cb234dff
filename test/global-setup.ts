/**
 * Builds the production firmware (.devicescript/firmware.devs, what the simulator and the e2e
 * tests run) and the test firmwares once, before any test file runs, so `npx vitest run <file>`
 * never runs a stale image (builds share .devicescript/bin and must not overlap). The benchmark
 * firmwares are built by the one file that runs them (test/bench/smoke.test.ts).
 * Only the tiers that run the images have it: `npm run test:e2e`, `npm run test:interop`; `npm test`
 * builds nothing (vitest.config.ts).
 *
 * Under CI=true a missing Mosquitto or Chromium fails here, before the first image is built, rather
 * than file by file minutes later (test/support/required.ts).
 */
import { buildFirmware } from "../host-sim/device/build-firmware.ts"
import { inCi, installed } from "./support/required.ts"

export default function setup() {
    if (inCi()) for (const tool of ["mosquitto", "chromium"] as const) installed(tool)
    buildFirmware("firmware/main.ts", "firmware.devs")
    buildFirmware("test/firmware/burst.ts", "burst.devs")
    buildFirmware("test/firmware/standby.ts", "standby.devs")
}
