/**
 * Entry point shared by the board scripts: strict options, one `error: ...`
 * line instead of a stack trace, and no process left behind (children run in
 * their own process group, which is killed on exit, Ctrl-C or SIGTERM).
 */
import type { ChildProcess } from "node:child_process"
import { parseArgs, type ParseArgsConfig } from "node:util"
import { EXIT_USAGE, UserError } from "./user-error.ts"

const children = new Set<ChildProcess>()

/** Registers a child spawned with `detached: true`; its whole group is killed when this script ends. */
export function adopt(child: ChildProcess): ChildProcess {
    children.add(child)
    child.once("exit", () => children.delete(child))
    return child
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    try {
        process.kill(-child.pid, signal)
    } catch {
        // already gone
    }
}

function killAll(): void {
    for (const c of children) killGroup(c, "SIGKILL")
}

process.on("exit", killAll)
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.once(sig, () => {
        killAll()
        process.exit(sig === "SIGINT" ? 130 : 143)
    })

export type Options = NonNullable<ParseArgsConfig["options"]>

export function parseOptions<T extends Options>(argv: string[], options: T, usage: string) {
    try {
        return parseArgs({
            args: argv,
            options: { ...options, help: { type: "boolean" } },
            strict: true,
            allowPositionals: false,
        }).values
    } catch (e) {
        throw new UserError(`${(e as Error).message}\n\n${usage}`, EXIT_USAGE)
    }
}

/**
 * Resolves on Ctrl-C, or after `ms` when it is not 0. Ctrl-C then ends the waiting, not the process
 * (the handler above would exit at once): for a script that has no children.
 */
export function untilCtrlC(ms = 0): Promise<void> {
    return new Promise(done => {
        if (ms) setTimeout(done, ms)
        process.removeAllListeners("SIGINT")
        process.once("SIGINT", () => done())
    })
}

export function runMain(usage: string, body: () => Promise<void>): void {
    if (process.argv.includes("--help")) {
        console.log(usage)
        process.exit(0)
    }
    body().then(
        () => process.exit(0),
        (e: unknown) => {
            if (e instanceof UserError) {
                console.error(`error: ${e.message}`)
                process.exit(e.exitCode)
            }
            // A bug in these scripts, not a user problem: still one line, with where to look.
            const err = e as Error
            const where = /\((.*?:\d+:\d+)\)/.exec(err.stack ?? "")?.[1] ?? "unknown location"
            console.error(`error: unexpected ${err.name ?? "error"}: ${err.message} (at ${where}; please report it)`)
            process.exit(1)
        },
    )
}
