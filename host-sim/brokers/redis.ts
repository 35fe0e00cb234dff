/**
 * A private redis-server (Debian package `redis-server`) on a free loopback
 * port, its data in the given directory: the shared store of the aedes
 * cluster. Append-only file on, fsync every second, as a site would run it:
 * after a power cut it comes back with what it had (minus at most ~1 s).
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { Daemon } from "./daemon.ts"

const CANDIDATES = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]

export function redisPath(): string | null {
    for (const p of CANDIDATES) if (existsSync(p)) return p
    const r = spawnSync("sh", ["-c", "command -v redis-server"], {
        encoding: "utf8",
    })
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
}

export function redisDaemon(port: number, dir: string): Daemon {
    const bin = redisPath()
    if (!bin) throw new Error("redis-server is not installed (Debian: apt-get install redis-server)")
    return new Daemon({
        name: "redis-server",
        command: bin,
        // Never 6379: a system Redis may listen there. No config file: /etc/redis is the system's.
        args: [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir,
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--daemonize",
            "no",
            "--loglevel",
            "notice",
        ],
        ready: /Ready to accept connections/,
        readyTimeoutMs: 20_000,
    })
}
