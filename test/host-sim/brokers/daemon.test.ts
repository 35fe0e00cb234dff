/**
 * The daemon helper every broker rig uses: ready on a log line, errors that
 * carry the log's tail, TERM then KILL to the whole process group, and no
 * daemon or directory left behind when the program that started it is killed.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { Daemon } from "../../../host-sim/brokers/daemon.ts"

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0)
        return true
    } catch {
        return false
    }
}

/** Resolves once `pid` no longer exists (a killed process is reaped by its parent or init). */
async function gone(pid: number, timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
        if (!alive(pid)) return true
        await new Promise(r => setTimeout(r, 50))
    }
    return false
}

describe("daemon helper", () => {
    test("start resolves on the ready line and stop ends the daemon and the children it forked", async () => {
        // The shell forks a grandchild (sleep) that a signal to the shell alone would leave behind.
        const d = new Daemon({
            name: "sh",
            command: "sh",
            args: ["-c", "sleep 300 & echo child $!; echo ready; wait"],
            ready: /ready/,
            readyTimeoutMs: 10_000,
        })
        await d.start()
        const child = Number(/child (\d+)/.exec(d.log)?.[1])
        expect(alive(child)).toBe(true)
        await d.stop()
        expect(d.running).toBe(false)
        expect(await gone(child)).toBe(true)
    })

    test("a daemon that exits before it is ready fails with the tail of its log", async () => {
        const d = new Daemon({
            name: "broken",
            command: "sh",
            args: ["-c", "echo 'cannot bind port 1234' >&2; exit 3"],
            ready: /ready/,
            readyTimeoutMs: 10_000,
        })
        await expect(d.start()).rejects.toThrow(/broken: exited \(3\) before its ready line\ncannot bind port 1234/)
    })

    test("a daemon that never says it is ready fails after the timeout and is killed", async () => {
        const d = new Daemon({
            name: "mute",
            command: "sh",
            args: ["-c", "echo booting; exec sleep 300"],
            ready: /ready/,
            readyTimeoutMs: 300,
        })
        await expect(d.start()).rejects.toThrow(/mute: no ready line within 300 ms\nbooting/)
        expect(d.running).toBe(false)
    })

    test("stop falls back to SIGKILL when the daemon ignores SIGTERM", async () => {
        const d = new Daemon({
            name: "stubborn",
            command: "sh",
            args: ["-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
            ready: /ready/,
            readyTimeoutMs: 10_000,
            stopGraceMs: 200,
        })
        await d.start()
        await d.stop()
        expect(d.running).toBe(false)
    })

    for (const sig of ["SIGTERM", "SIGINT"] as const)
        test(`a program killed by ${sig} leaves no daemon and no private directory behind`, async () => {
            const script = join(import.meta.dirname, "daemon-owner.ts")
            const owner = spawn(process.execPath, ["--import", "tsx", script], {
                stdio: ["ignore", "pipe", "inherit"],
            })
            const line = await new Promise<string>((resolve, reject) => {
                let out = ""
                owner.stdout!.on("data", d => {
                    out += d
                    if (out.includes("\n")) resolve(out)
                })
                owner.once("exit", code => reject(new Error(`owner exited with ${code}: ${out}`)))
            })
            const { pid, dir } = JSON.parse(line) as {
                pid: number
                dir: string
            }
            expect(alive(pid)).toBe(true)
            expect(existsSync(dir)).toBe(true)
            const exited = new Promise<number | null>(resolve => owner.once("exit", code => resolve(code)))
            owner.kill(sig)
            expect(await exited).toBe(sig === "SIGTERM" ? 143 : 130)
            expect(await gone(pid)).toBe(true)
            expect(existsSync(dir)).toBe(false)
        })
})
