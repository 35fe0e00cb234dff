/**
 * `npm run verify` as a user runs it (its tsx entry, its own process): its output, its exit code,
 * and Ctrl-C (SIGINT) for a run without --duration. Shared by the e2e suites.
 */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"

export interface VerifyRun {
    /** Resolves once verify has subscribed ("verify: listening ..."). */
    listening: Promise<void>
    /** Resolves with its exit code and everything it printed once it exits. */
    done: Promise<{ code: number | null; out: string }>
    /** Ctrl-C: verify reports and exits. */
    interrupt(): void
    /** Ends it if it is still running (for a test's finally). */
    kill(): void
}

export function runVerify(url: string, durationS?: number): VerifyRun {
    const args = ["--import", "tsx", "host-sim/verify.ts", "--broker", url]
    if (durationS !== undefined) args.push("--duration", String(durationS))
    const child = spawn(process.execPath, args, { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let listening!: () => void
    const run: VerifyRun = {
        listening: new Promise<void>(resolve => (listening = resolve)),
        done: new Promise(resolve => child.once("close", code => resolve({ code, out }))),
        interrupt: () => void child.kill("SIGINT"),
        kill: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        },
    }
    createInterface({ input: child.stdout! }).on("line", l => {
        out += l + "\n"
        if (/^verify: listening/.test(l)) listening()
    })
    createInterface({ input: child.stderr! }).on("line", l => (out += l + "\n"))
    return run
}
