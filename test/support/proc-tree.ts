/**
 * Linux process tree from /proc, for tests that check what a command leaves behind or shows to
 * other users. Reads only: every process is whatever it was when it was read.
 */
import { readFileSync, readdirSync } from "node:fs"

/** The parent pid of `pid`, or undefined if it is gone. */
function parentOf(pid: number): number | undefined {
    try {
        // Field 4 of stat; the command name (field 2) may hold spaces and parentheses: read after the last ')'.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    } catch {
        return undefined
    }
}

/** Every live descendant of `root` (children, their children, ...). */
export function descendants(root: number): number[] {
    const parents = new Map<number, number>()
    for (const e of readdirSync("/proc")) {
        if (!/^\d+$/.test(e)) continue
        const pp = parentOf(Number(e))
        if (pp !== undefined) parents.set(Number(e), pp)
    }
    const out: number[] = []
    const walk = (p: number) => {
        for (const [c, pp] of parents) if (pp === p && !out.includes(c)) (out.push(c), walk(c))
    }
    walk(root)
    return out
}

/** Is `pid` a running process (not gone, not a zombie)? */
export function alive(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
    } catch {
        return false
    }
}

/** A process's argv and environment as text ("" once it is gone). */
export function argvAndEnv(pid: number): { cmdline: string; environ: string } {
    const read = (f: string) => {
        try {
            return readFileSync(`/proc/${pid}/${f}`, "latin1").replace(/\0/g, " ")
        } catch {
            return ""
        }
    }
    return { cmdline: read("cmdline"), environ: read("environ") }
}
