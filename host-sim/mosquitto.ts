/**
 * A private Mosquitto (Debian package) on a free loopback port, with its own
 * config and persistence directory, so tests never touch a system broker.
 * `restart()` keeps the port and the persistent sessions.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { RunningBroker } from "./broker.ts"

const CANDIDATES = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
const START_TIMEOUT_MS = 10_000

export function mosquittoPath(): string | null {
    for (const p of CANDIDATES) if (existsSync(p)) return p
    const r = spawnSync("sh", ["-c", "command -v mosquitto"], { encoding: "utf8" })
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createServer()
        s.once("error", reject)
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port
            s.close(() => resolve(port))
        })
    })
}

export interface MosquittoOptions {
    /** Extra lines for mosquitto.conf (e.g. password_file, TLS listener settings). */
    extraConfig?: string[]
    /** User name -> password; with any, anonymous clients are refused (`allow_anonymous false`). */
    users?: Record<string, string>
    /** One extra loopback listener per entry, speaking TLS with that certificate and key (PEM files). */
    tlsListeners?: { certFile: string; keyFile: string }[]
}

export interface RunningMosquitto extends RunningBroker {
    dir: string
    version: string
    /** The ports of `tlsListeners`, in the same order. */
    tlsPorts: number[]
    /** SIGHUP: Mosquitto reads its config and password file again; resolves on its "Reloading config" line. */
    reload(): Promise<void>
}

export async function startMosquitto(o: MosquittoOptions = {}): Promise<RunningMosquitto> {
    const bin = mosquittoPath()
    if (!bin) throw new Error("mosquitto is not installed (Debian: apt-get install mosquitto)")
    const dir = mkdtempSync(join(tmpdir(), "devs-mosquitto-"))
    // Started as root, mosquitto drops to its own user and must still write its persistence file here.
    chmodSync(dir, 0o777)
    const port = await freePort()
    const tlsPorts: number[] = []
    while (tlsPorts.length < (o.tlsListeners ?? []).length) {
        const p = await freePort()
        if (p !== port && !tlsPorts.includes(p)) tlsPorts.push(p)
    }
    const users = Object.entries(o.users ?? {})
    const passwordFile = join(dir, "passwd")
    if (users.length) {
        writeFileSync(passwordFile, "")
        for (const [user, pw] of users) {
            // -b takes the password on the command line: test passwords only, never a user's.
            const r = spawnSync("mosquitto_passwd", ["-b", passwordFile, user, pw], { encoding: "utf8" })
            if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr || r.error?.message}`)
        }
        chmodSync(passwordFile, 0o644)
    }
    const conf = join(dir, "mosquitto.conf")
    writeFileSync(
        conf,
        [
            `listener ${port} 127.0.0.1`,
            `allow_anonymous ${users.length ? "false" : "true"}`,
            ...(users.length ? [`password_file ${passwordFile}`] : []),
            "persistence true",
            `persistence_location ${dir}/`,
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            // The "running" line that tells us the listener is up is an information message.
            "log_type information",
            ...(o.extraConfig ?? []),
            // Listener options (certfile, keyfile) apply to the listener line above them.
            ...(o.tlsListeners ?? []).flatMap((l, i) => [`listener ${tlsPorts[i]} 127.0.0.1`, `certfile ${l.certFile}`, `keyfile ${l.keyFile}`]),
        ].join("\n") + "\n"
    )
    let child: ChildProcess
    let version = ""
    let err = ""

    function launch(): Promise<void> {
        child = spawn(bin!, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] })
        err = ""
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => fail(`no 'running' line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS)
            const fail = (why: string) => {
                clearTimeout(timer)
                // Never leave a half-started broker behind.
                if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
                reject(new Error(`mosquitto did not start: ${why}\n${err}`))
            }
            child.stderr!.on("data", d => {
                err += d
                if (/running/.test(err)) {
                    version = /mosquitto version (\S+)/.exec(err)?.[1] ?? version
                    clearTimeout(timer)
                    resolve()
                }
            })
            child.once("exit", code => fail(`exited with ${code}`))
        })
    }

    async function halt() {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise(resolve => child.once("exit", resolve))
        child.kill("SIGTERM")
        await exited
    }

    await launch()
    return {
        kind: "mosquitto",
        url: `mqtt://127.0.0.1:${port}`,
        port,
        tlsPorts,
        dir,
        get version() {
            return version
        },
        restart: async () => {
            await halt()
            await launch()
        },
        reload: () =>
            new Promise<void>((resolve, reject) => {
                const from = err.length
                const timer = setTimeout(() => reject(new Error("mosquitto: no 'Reloading config' line after SIGHUP")), START_TIMEOUT_MS)
                const check = () => {
                    if (!/Reloading config/.test(err.slice(from))) return
                    clearTimeout(timer)
                    child.stderr!.off("data", check)
                    resolve()
                }
                child.stderr!.on("data", check)
                child.kill("SIGHUP")
            }),
        close: async () => {
            await halt()
            rmSync(dir, { recursive: true, force: true })
        },
    }
}
