import { defineConfig } from "vitest/config"

/**
 * The end-to-end fault and outage suites once more with the VM's GC stress mode on (a garbage
 * collection on every allocation: DEVS_GC_STRESS=1, see host-sim/device/vm-device.ts). Part of
 * `npm run test:interop`.
 */
export default defineConfig({
    test: {
        include: [
            "test/e2e/faults.test.ts",
            "test/interop/outage-short.interop.ts",
            "test/e2e/inbound-burst.test.ts",
            "test/e2e/inbound-hostile.test.ts",
        ],
        globalSetup: ["test/global-setup.ts"],
        fileParallelism: false,
        testTimeout: 600_000,
        hookTimeout: 150_000,
        env: { DEVS_GC_STRESS: "1" },
    },
})
