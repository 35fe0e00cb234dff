/**
 * The sensor drivers on the DeviceScript VM against register-level fake chips
 * (test/device-sensors/main.ts). `--test-self-exit` is essential: without it
 * the CLI prints "test OK" without running a single test. The chips' datasheet
 * waits make the run about 5.5 s of VM time, past the CLI's default 5 s test
 * timeout, so the run gets more room here.
 */
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import { expect, test } from "vitest"

const DEVS = createRequire(import.meta.url).resolve("@devicescript/cli/devicescript")

test("the sensor drivers pass their fake-chip tests on the DeviceScript VM", () => {
    const args = [DEVS, "run", "test/device-sensors/main.ts", "--test", "--test-self-exit", "--test-timeout", "60000"]
    const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 300_000 })
    const out = r.stdout + r.stderr
    const summary = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(out)
    expect(summary, out.slice(-2000)).not.toBeNull()
    const [, total, pass, errors] = summary!.map(Number)
    expect(errors, out.slice(-2000)).toBe(0)
    expect(pass).toBe(total)
    expect(total).toBeGreaterThanOrEqual(70)
    expect(r.status).toBe(0)
    expect(out).not.toMatch(/PANIC|InfiniteLoop/)
}, 300_000)
