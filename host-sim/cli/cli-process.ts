/**
 * A host-side command (`npm start`, `npm run dashboard`) as a child process in
 * its own process group, with its output collected. `waitFor` resolves on the
 * first output line that matches; `stop` ends the command (SIGTERM, then
 * SIGKILL for the group if it does not exit) and waits for it.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import { within } from "./within.ts"

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const STOP_MS = 15_000

export class CliProcess {
    readonly child: ChildProcess
    output = ""
    readonly exited: Promise<number | null>

    constructor(script: string, args: string[], cwd: string) {
        this.child = spawn(process.execPath, ["--import", TSX, script, ...args], {
            cwd,
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        })
        this.child.stdout!.on("data", d => (this.output += d))
        this.child.stderr!.on("data", d => (this.output += d))
        this.exited = new Promise(resolve => this.child.once("exit", code => resolve(code)))
    }

    /** The first match of `re` in the output, once it has appeared. */
    waitFor(re: RegExp, ms: number): Promise<RegExpExecArray> {
        let check = () => {}
        const p = new Promise<RegExpExecArray>((resolve, reject) => {
            check = () => {
                const m = re.exec(this.output)
                if (m) return resolve(m)
                if (this.child.exitCode !== null)
                    reject(new Error(`exited (${this.child.exitCode}) before ${re}:\n${this.output}`))
            }
            this.child.stdout!.on("data", check)
            this.child.stderr!.on("data", check)
            this.child.on("exit", check)
            check()
        })
        return within(
            p,
            ms,
            `${re} in the output of ${this.child.spawnargs.slice(3).join(" ")}:\n${this.output}`,
        ).finally(() => {
            this.child.stdout!.off("data", check)
            this.child.stderr!.off("data", check)
            this.child.off("exit", check)
        })
    }

    async stop(): Promise<void> {
        if (this.child.exitCode !== null || this.child.signalCode !== null) return
        this.child.kill("SIGTERM")
        try {
            await within(this.exited, STOP_MS, "the command to stop")
        } catch {
            process.kill(-this.child.pid!, "SIGKILL")
            await this.exited
        }
    }
}
