/**
 * CPU time of another process on this machine (Linux /proc), for a broker's share of a scale run:
 * the process that listens on a loopback TCP port, and its user + system seconds so far.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs"

/** USER_HZ: /proc/<pid>/stat counts in clock ticks of 1/100 s on Linux. */
const TICKS_PER_S = 100

/** The pid of the process listening on `port` (IPv4 or IPv6), or null (not Linux, not visible, not found). */
export function pidListeningOn(port: number): number | null {
    const inodes = new Set<string>()
    for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
        let text = ""
        try {
            text = readFileSync(f, "utf8")
        } catch {
            continue
        }
        for (const line of text.split("\n").slice(1)) {
            const c = line.trim().split(/\s+/)
            // local_address is HEXIP:HEXPORT; st 0A is LISTEN; inode is the 10th column.
            if (c.length > 9 && c[3] === "0A" && parseInt(c[1].split(":")[1], 16) === port) inodes.add(c[9])
        }
    }
    if (!inodes.size) return null
    for (const pid of readdirSync("/proc").filter(d => /^\d+$/.test(d))) {
        let fds: string[]
        try {
            fds = readdirSync(`/proc/${pid}/fd`)
        } catch {
            continue
        }
        for (const fd of fds) {
            try {
                const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
                if (m && inodes.has(m[1])) return Number(pid)
            } catch {
                // the fd closed while we looked
            }
        }
    }
    return null
}

/** User + system CPU seconds of `pid` so far, or NaN if it is gone. */
export function cpuSeconds(pid: number): number {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
        // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
        return (Number(f[11]) + Number(f[12])) / TICKS_PER_S
    } catch {
        return NaN
    }
}
