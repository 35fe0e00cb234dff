/**
 * The four brokers of the interop run, each started privately on free ports
 * by the project's own scripts, with one way to refuse and then accept the
 * device's credentials (S9, CONNACK 4/5 from the broker's real auth).
 */
import { spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { randomBytes } from "node:crypto"
import type { AuthenticateError } from "aedes"
import { startEmbeddedBroker, type RunningBroker } from "../../host-sim/brokers/broker.ts"
import { mosquittoPath, startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { natsPath, startNats } from "../../host-sim/brokers/nats.ts"
import { rabbitMqPath, startRabbitMq } from "../../host-sim/brokers/rabbitmq.ts"

/** The user the S9 device logs in as, and the sentinel password that must never reach a log. */
export const S9_USER = "devs-s9"
export const S9_PASS = "S3NT1NEL-pw"

export interface InteropBroker {
    kind: string
    version: string
    broker: RunningBroker
    /** How the broker refuses the S9 device until `acceptS9()`. */
    authHow: string
    /** Makes the broker refuse S9_USER/S9_PASS (CONNACK 4 or 5). */
    refuseS9(): Promise<void>
    /** Makes the broker accept S9_USER/S9_PASS. */
    acceptS9(): Promise<void>
    close(): Promise<void>
}

export interface BrokerKind {
    kind: string
    /** null when it can run here, else why not. */
    unavailable(): string | null
    start(): Promise<InteropBroker>
}

function aedesVersion(): string {
    const pkg = JSON.parse(readFileSync(new URL("../../node_modules/aedes/package.json", import.meta.url), "utf8"))
    return pkg.version as string
}

const aedes: BrokerKind = {
    kind: "aedes",
    unavailable: () => null,
    start: async () => {
        const b = await startEmbeddedBroker()
        let accept = false
        // aedes has no user store: authentication is the embedding application's hook, reinstalled after restarts.
        const install = () => {
            b.aedes.authenticate = (_client, username, password, done) => {
                if (username !== S9_USER) return done(null, true)
                if (accept && password?.toString() === S9_PASS) return done(null, true)
                const e = new Error("bad user name or password") as AuthenticateError
                e.returnCode = 4
                done(e, null)
            }
        }
        return {
            kind: "aedes",
            version: aedesVersion(),
            broker: b,
            authHow: "an aedes `authenticate` hook (rc 4)",
            refuseS9: async () => {
                accept = false
                install()
            },
            acceptS9: async () => {
                accept = true
                install()
            },
            close: () => b.close(),
        }
    },
}

const mosquitto: BrokerKind = {
    kind: "mosquitto",
    unavailable: () => (mosquittoPath() ? null : "mosquitto is not installed"),
    start: async () => {
        // Mosquitto drops to its own user and reads the password file again on SIGHUP: it must be readable.
        const dir = mkdtempSync(join(tmpdir(), "devs-mosq-auth-"))
        chmodSync(dir, 0o755)
        const file = join(dir, "passwd")
        const setPassword = (pw: string) => {
            writeFileSync(file, "")
            const r = spawnSync("mosquitto_passwd", ["-b", file, S9_USER, pw], { encoding: "utf8" })
            if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`)
            chmodSync(file, 0o644)
        }
        setPassword(randomBytes(12).toString("hex"))
        // allow_anonymous stays on, so the device and observer of the other scenarios need no credentials.
        const b = await startMosquitto({ extraConfig: [`password_file ${file}`] })
        return {
            kind: "mosquitto",
            version: b.version,
            broker: b,
            authHow: "`password_file` with another password for the user, fixed by `mosquitto_passwd` + SIGHUP",
            refuseS9: async () => {
                setPassword(randomBytes(12).toString("hex"))
                await b.reload()
            },
            acceptS9: async () => {
                setPassword(S9_PASS)
                await b.reload()
            },
            close: async () => {
                await b.close()
                rmSync(dir, { recursive: true, force: true })
            },
        }
    },
}

const nats: BrokerKind = {
    kind: "nats",
    unavailable: () => (natsPath() ? null : "nats-server is not installed"),
    start: async () => {
        const anon = { user: "anon", password: randomBytes(12).toString("hex") }
        const users = (pw: string) => [anon, { user: S9_USER, password: pw }]
        // Clients without credentials become `anon` (mqtt.no_auth_user); the S9 user has another password.
        const b = await startNats({ users: users(randomBytes(12).toString("hex")), noAuthUser: "anon" })
        return {
            kind: "nats",
            version: b.version,
            broker: b,
            authHow:
                "`authorization.users` with another password for the user (anonymous clients mapped by `mqtt.no_auth_user`), fixed by a config reload (SIGHUP)",
            refuseS9: () => b.setUsers(users(randomBytes(12).toString("hex"))),
            acceptS9: () => b.setUsers(users(S9_PASS)),
            close: () => b.close(),
        }
    },
}

const rabbitmq: BrokerKind = {
    kind: "rabbitmq",
    unavailable: () => (rabbitMqPath() ? null : "rabbitmq-server is not installed"),
    start: async () => {
        const b = await startRabbitMq()
        let added = false
        return {
            kind: "rabbitmq",
            version: b.version,
            broker: b,
            authHow:
                "no such user (anonymous clients log in as guest), fixed by `rabbitmqctl add_user` + `set_permissions`",
            refuseS9: async () => {
                if (added) throw new Error("the S9 user already exists")
            },
            acceptS9: async () => {
                await b.addUser(S9_USER, S9_PASS)
                added = true
            },
            close: () => b.close(),
        }
    },
}

export const BROKER_KINDS: BrokerKind[] = [aedes, mosquitto, nats, rabbitmq]
