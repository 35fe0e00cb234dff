import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"

/**
 * Two tiers (issue 25), one project each, so `npx vitest run <file>` picks the right one by itself:
 *
 * - `unit` (`npm test`): the portable code, the host tools, the docs checks and the on-VM unit
 *   programs (test/device/, test/device-sensors/, run by the DeviceScript CLI). Nothing here starts
 *   a broker process, a browser, a simulated device or any program but that CLI and openssl (the
 *   test CA), and nothing needs a firmware image, so there is no global setup; files run side by
 *   side (vitest's default on 2 cores would be one worker).
 * - `e2e` (`npm run test:e2e`): every file that runs the firmware image in the VM, starts a broker
 *   process, a browser, `npm start` or other programs, or builds the firmware itself. Its global
 *   setup builds the images; one file at a time, because the scenarios wait on real time.
 *
 * The minutes-long scenarios are in `npm run test:interop` (vitest.interop.config.ts).
 */
const E2E_FILES = [
    "test/e2e/**/*.test.ts",
    // The benchmark's smoke run: VMs against a broker.
    "test/bench/smoke.test.ts",
    // The firmware built against every board, in project copies.
    "test/boards/build.test.ts",
    // flash / deploy / bundle run as programs without a board.
    "test/boards/scripts.test.ts",
    // The daemon helper every broker rig uses, with real processes and signals.
    "test/host-sim/brokers/daemon.test.ts",
]

export default defineConfig({
    test: {
        testTimeout: 60_000,
        hookTimeout: 60_000,
        projects: [
            {
                extends: true,
                test: {
                    name: "unit",
                    include: ["test/**/*.test.ts"],
                    exclude: E2E_FILES,
                    maxWorkers: Math.max(2, availableParallelism()),
                    sequence: { groupOrder: 0 },
                },
            },
            {
                extends: true,
                test: {
                    name: "e2e",
                    include: E2E_FILES,
                    globalSetup: ["test/global-setup.ts"],
                    fileParallelism: false,
                    sequence: { groupOrder: 1 },
                },
            },
        ],
    },
})
