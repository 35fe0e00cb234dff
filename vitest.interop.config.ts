import { defineConfig } from "vitest/config"

/**
 * `npm run test:interop`: the bytecode against four real brokers and the
 * mutation fuzz. Not part of `npm test` (its files end in .interop.ts).
 * One file at a time: the scenarios measure timing on a 2-core machine.
 */
export default defineConfig({
    test: {
        include: ["test/interop/**/*.interop.ts"],
        globalSetup: ["test/global-setup.ts", "test/interop/global-setup.ts"],
        fileParallelism: false,
        testTimeout: 180_000,
        hookTimeout: 150_000,
    },
})
