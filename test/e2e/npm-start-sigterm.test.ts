/**
 * SIGTERM to the `npm start` process (what a service manager, a CI job or an IDE's stop button
 * sends) stops the simulator and its device processes, none left running under PID 1 (issue 28).
 * npm forwards the signal to its script's shell only; `exec` in the script makes the simulator
 * that process. The embedded broker keeps every process of the run under npm.
 */
import { spawn } from "node:child_process"
import { afterAll, expect, test } from "vitest"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import { alive, descendants } from "../support/proc-tree.ts"
import { within } from "../../host-sim/cli/within.ts"

const TELEMETRY_MS = 90_000
const GONE_MS = 30_000
const POLL_MS = 100

/** Resolves once `cond` holds; /proc has no event for the end of a process that is not our child. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const p = new Promise<void>(resolve => {
        const check = () => (cond() ? resolve() : (timer = setTimeout(check, POLL_MS)))
        check()
    })
    await within(p, ms, what).finally(() => clearTimeout(timer))
}

// `--ignore-scripts` skips prestart's firmware build (global setup built it), not the start script.
const npm = spawn("npm", ["start", "--ignore-scripts", "--", "--duration", "600", "--no-dashboard"], {
    cwd: PROJECT_DIR,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
})
let output = ""
npm.stdout!.on("data", d => (output += d))
npm.stderr!.on("data", d => (output += d))
const npmExited = new Promise(resolve => npm.once("exit", resolve))

afterAll(async () => {
    // Whatever the test found, nothing of the run outlives it.
    const left = descendants(npm.pid!)
    try {
        process.kill(-npm.pid!, "SIGKILL")
    } catch {
        // the group is gone already
    }
    for (const pid of left)
        try {
            process.kill(pid, "SIGKILL")
        } catch {
            // gone
        }
})

test("SIGTERM to npm start ends the simulator and every device process", async () => {
    await within(
        new Promise<void>((resolve, reject) => {
            const check = () => (/sim1 +#1 /.test(output) ? resolve() : undefined)
            npm.stdout!.on("data", check)
            npm.once("exit", code => reject(new Error(`npm start exited (${code}) before telemetry:\n${output}`)))
        }),
        TELEMETRY_MS,
        `the first reading in the output of npm start:\n${output}`,
    )
    const run = descendants(npm.pid!)
    // npm, the simulator (tsx and its node) and the device process at least.
    expect(run.length, output).toBeGreaterThanOrEqual(3)
    npm.kill("SIGTERM")
    await npmExited
    await until(() => run.every(p => !alive(p)), GONE_MS, "every process of the run to end").catch(e => {
        throw new Error(`${e.message}; still running: ${run.filter(alive).join(" ")}`)
    })
    expect(run.filter(alive)).toEqual([])
})
