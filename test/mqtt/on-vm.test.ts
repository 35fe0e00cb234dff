/**
 * The same codec, framer, topic and UTF-8 vectors, run on the DeviceScript VM
 * (test/device/main.ts). `--test-self-exit` is essential: without it the CLI
 * prints "test OK" without running a single test.
 */
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import { expect, test } from "vitest"

const DEVS = createRequire(import.meta.url).resolve("@devicescript/cli/devicescript")

test("the codec vectors pass on the DeviceScript VM", () => {
    // The CLI gives the whole test program 5 s by default (--test-timeout), with GC stress on: on a loaded
    // 2-core machine that is not enough, so the program gets what this test has, less a margin to report.
    const r = spawnSync(
        process.execPath,
        [DEVS, "run", "test/device/main.ts", "--test", "--test-self-exit", "--test-timeout", "240000"],
        { encoding: "utf8", timeout: 300_000 },
    )
    const out = r.stdout + r.stderr
    const summary = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(out)
    expect(summary, out.slice(-2000)).not.toBeNull()
    const [, total, pass, errors] = summary!.map(Number)
    expect(errors).toBe(0)
    expect(pass).toBe(total)
    expect(total).toBeGreaterThanOrEqual(20)
    expect(r.status).toBe(0)
}, 300_000)
