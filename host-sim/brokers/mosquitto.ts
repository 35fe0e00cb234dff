/**
 * A private Mosquitto (Debian package) on a free loopback port, with its own
 * config and persistence directory, so tests never touch a system broker.
 * `restart()` keeps the port and the persistent sessions.
 */
import { spawnSync } from "node:child_process"
import { chmodSync, existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { RunningBroker } from "./broker.ts"
import { Daemon, privateDir, startInDir } from "./daemon.ts"
import { freePorts } from "./free-port.ts"

const CANDIDATES = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
const START_TIMEOUT_MS = 10_000

export function mosquittoPath(): string | null {
    for (const p of CANDIDATES) if (existsSync(p)) return p
    const r = spawnSync("sh", ["-c", "command -v mosquitto"], {
        encoding: "utf8",
    })
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null
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
    /** What Mosquitto logged so far (notice and information: connects, DISCONNECTs, closed connections). */
    log(): string
}

export async function startMosquitto(o: MosquittoOptions = {}): Promise<RunningMosquitto> {
    const bin = mosquittoPath()
    if (!bin) throw new Error("mosquitto is not installed (Debian: apt-get install mosquitto)")
    const dir = privateDir("devs-mosquitto-")
    // Started as root, mosquitto drops to its own user and must still write its persistence file here.
    chmodSync(dir, 0o777)
    const [port, ...tlsPorts] = await freePorts(1 + (o.tlsListeners ?? []).length)
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
            ...(o.tlsListeners ?? []).flatMap((l, i) => [
                `listener ${tlsPorts[i]} 127.0.0.1`,
                `certfile ${l.certFile}`,
                `keyfile ${l.keyFile}`,
            ]),
        ].join("\n") + "\n",
    )
    // Ready: its "mosquitto version X running" line, written once the listeners are bound.
    const daemon = new Daemon({
        name: "mosquitto",
        command: bin,
        args: ["-c", conf],
        ready: /running/,
        readyTimeoutMs: START_TIMEOUT_MS,
    })
    const close = await startInDir(
        dir,
        () => daemon.start(),
        () => daemon.stop(),
    )
    return {
        kind: "mosquitto",
        url: `mqtt://127.0.0.1:${port}`,
        port,
        tlsPorts,
        dir,
        version: /mosquitto version (\S+)/.exec(daemon.log)?.[1] ?? "",
        restart: async () => {
            await daemon.stop()
            await daemon.start()
        },
        log: () => daemon.log,
        reload: () => daemon.reload(/Reloading config/, START_TIMEOUT_MS, "'Reloading config' line after SIGHUP"),
        close,
    }
}
