/**
 * `npm start -- --broker ...` against a private Mosquitto that requires a
 * login, with TLS listeners whose certificates are signed by a per-run CA, by
 * an untrusted CA, for another host name, or expired. Each run is the real CLI
 * in its own directory with its own .env.local: it either gets telemetry
 * through (seen by an independent subscriber that logs in too) or ends with
 * one `error:` line naming the class of failure, exit code 1, no stack trace,
 * and the password nowhere in its output.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { randomBytes } from "node:crypto"
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { freePort } from "../../host-sim/brokers/free-port.ts"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import { makeTestCa, type TestCa } from "../support/test-ca.ts"
import { STACK_TRACE } from "../boards/support.ts"
import { installed } from "../support/required.ts"

const CLI = join(PROJECT_DIR, "host-sim", "cli.ts")
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const USER = "sensor"
/** Unique per run, so finding it in any output can only mean it was printed. */
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`
const WRONG_PASSWORD = `wrong-${randomBytes(8).toString("hex")}`
const TELEMETRY_WAIT_MS = 30_000

interface CliRun {
    code: number | null
    stdout: string
    stderr: string
}

const dirs: string[] = []
const running = new Set<ChildProcess>()

/** The CLI in a fresh project directory holding the committed .env.defaults and this .env.local. */
function startCli(envLocal: string, args: string[]): { child: ChildProcess; done: Promise<CliRun>; out: () => string } {
    const dir = mkdtempSync(join(tmpdir(), "devs-secured-"))
    dirs.push(dir)
    copyFileSync(join(PROJECT_DIR, ".env.defaults"), join(dir, ".env.defaults"))
    writeFileSync(join(dir, ".env.local"), envLocal)
    const env = { ...process.env }
    delete env.NODE_EXTRA_CA_CERTS
    const child = spawn(process.execPath, ["--import", TSX, CLI, "--view", "lines", ...args], {
        cwd: dir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    })
    running.add(child)
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", d => (stdout += d))
    child.stderr!.on("data", d => (stderr += d))
    const done = new Promise<CliRun>(resolve =>
        child.once("exit", code => {
            running.delete(child)
            resolve({ code, stdout, stderr })
        }),
    )
    return { child, done, out: () => stdout + stderr }
}

const login = (password = PASSWORD) => `MQTT_USER=${USER}\nMQTT_PASS=${password}\n`

/** A run that must fail: exit 1, one `error:` line matching `message`, no stack trace, no password. */
async function expectRefusal(envLocal: string, args: string[], message: RegExp): Promise<string> {
    const r = await startCli(envLocal, args).done
    const all = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
    expect(r.code, all).toBe(1)
    expect(r.stderr, all).toMatch(/^error: cannot connect to the broker at \S+: /)
    expect(r.stderr.trim().split("\n"), all).toHaveLength(1)
    expect(r.stderr, all).toMatch(message)
    expect(all).not.toMatch(STACK_TRACE)
    expect(all).not.toContain(PASSWORD)
    expect(all).not.toContain(WRONG_PASSWORD)
    return r.stderr
}

describe.skipIf(!installed("mosquitto"))("npm start against a Mosquitto that requires a login, plain and TLS", () => {
    let ca: TestCa
    let rogue: TestCa
    let mosquitto: RunningMosquitto
    let tlsPort = 0
    let untrustedPort = 0
    let otherNamePort = 0
    let expiredPort = 0

    beforeAll(async () => {
        ca = makeTestCa("devs test CA")
        rogue = makeTestCa("devs rogue CA")
        const otherName = ca.issue({ name: "other-name", altNames: ["DNS:other.example"] })
        const expired = ca.issue({ name: "expired", expired: true })
        mosquitto = await startMosquitto({ users: { [USER]: PASSWORD }, tlsListeners: [ca, rogue, otherName, expired] })
        ;[tlsPort, untrustedPort, otherNamePort, expiredPort] = mosquitto.tlsPorts
    })
    afterAll(async () => {
        await Promise.all(
            [...running].map(c => {
                const exited = new Promise(resolve => c.once("exit", resolve))
                c.kill("SIGKILL")
                return exited
            }),
        )
        await mosquitto?.close()
        ca?.remove()
        rogue?.remove()
        for (const d of dirs) rmSync(d, { recursive: true, force: true })
    })

    /** Runs the CLI until the broker delivers its telemetry to a subscriber that logs in itself, then stops it. */
    async function expectTelemetry(envLocal: string, args: string[]): Promise<string> {
        const subscriber = new Observer(`mqtt://127.0.0.1:${mosquitto.port}`, "devs/+/telemetry", "", {
            username: USER,
            password: PASSWORD,
        })
        await subscriber.start()
        const cli = startCli(envLocal, args)
        try {
            const failed = cli.done.then(r => {
                throw new Error(`the CLI exited (${r.code}) before telemetry arrived:\n${r.stdout}\n${r.stderr}`)
            })
            // Only the race below reports it; once telemetry is in, the CLI's exit is expected.
            failed.catch(() => {})
            const got = await Promise.race([
                subscriber.waitFor(m => m.topic === "devs/sim1/telemetry", TELEMETRY_WAIT_MS, "telemetry from sim1"),
                failed,
            ])
            expect(typeof JSON.parse(got.payload.toString()).seq).toBe("number")
        } finally {
            cli.child.kill("SIGTERM")
            await subscriber.stop()
        }
        const r = await cli.done
        const all = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
        expect(r.code, all).toBe(0)
        expect(all).not.toContain(PASSWORD)
        return r.stdout
    }

    describe("login", () => {
        test("with the right MQTT_USER/MQTT_PASS in .env.local, the device and the observer log in and telemetry flows", async () => {
            const out = await expectTelemetry(login(), [
                "--broker",
                `mqtt://127.0.0.1:${mosquitto.port}`,
                "--period",
                "500",
                "--verbose",
            ])
            expect(out).toContain(`broker: mqtt://127.0.0.1:${mosquitto.port} as ${USER}`)
            expect(out).toMatch(/sim1 +#\d+ +temperature/)
        })

        test("a wrong password: 'not authorised (CONNACK 5)', with the user name and where to fix it", async () => {
            const e = await expectRefusal(
                login(WRONG_PASSWORD),
                ["--broker", `mqtt://127.0.0.1:${mosquitto.port}`],
                /not authorised \(CONNACK 5\): the broker refused the login of user 'sensor'; check MQTT_USER and MQTT_PASS in \.env\.local/,
            )
            expect(e).not.toMatch(/no CONNACK/)
        })

        test("no credentials: 'not authorised (CONNACK 5)' and that the broker wants a login", async () => {
            await expectRefusal(
                "",
                ["--broker", `mqtt://127.0.0.1:${mosquitto.port}`],
                /not authorised \(CONNACK 5\): no MQTT_USER\/MQTT_PASS set, and this broker wants a login/,
            )
        })

        test("credentials in the URL are refused before any connection (exit 1)", async () => {
            const r = await startCli("", ["--broker", `mqtt://${USER}:${PASSWORD}@127.0.0.1:${mosquitto.port}`]).done
            expect(r.code).toBe(1)
            expect(r.stderr).toMatch(
                /^error: credentials in the broker URL are not accepted: put MQTT_USER and MQTT_PASS in \.env\.local/,
            )
            expect(r.stdout + r.stderr).not.toContain(PASSWORD)
        })
    })

    describe("TLS", () => {
        test("signed by the per-run CA given with --ca: the device (NODE_EXTRA_CA_CERTS) and the observer connect, telemetry flows, the board limits are said once", async () => {
            const out = await expectTelemetry(login(), [
                "--broker",
                `mqtts://localhost:${tlsPort}`,
                "--ca",
                ca.caFile,
                "--period",
                "500",
                "--verbose",
            ])
            expect(out).toMatch(/mqtts:\/\/localhost/)
            const notes = out.split("\n").filter(l => l.startsWith("note: "))
            expect(notes).toEqual([
                `note: the simulated devices trust ${ca.caFile}; a board cannot: Pico W has no TLS, and ESP32 trusts only its runtime's built-in CA bundle, no private CA`,
            ])
        })

        test("the per-run CA not given: 'TLS certificate not trusted', naming the issuer", async () => {
            await expectRefusal(
                login(),
                ["--broker", `mqtts://localhost:${tlsPort}`],
                /TLS certificate not trusted: issued by CN=devs test CA, which is not among the system CAs; give a private CA with --ca FILE or MQTT_CA_FILE/,
            )
        })

        test("signed by an untrusted CA (MQTT_CA_FILE names the trusted one): 'TLS certificate not trusted', naming the issuer", async () => {
            await expectRefusal(
                login() + `MQTT_CA_FILE=${ca.caFile}\n`,
                ["--broker", `mqtts://localhost:${untrustedPort}`],
                new RegExp(
                    `TLS certificate not trusted: issued by CN=devs rogue CA, which is not among the system CAs and ${ca.caFile}`,
                ),
            )
        })

        test("a certificate for another host name: 'TLS hostname mismatch'", async () => {
            await expectRefusal(
                login(),
                ["--broker", `mqtts://localhost:${otherNamePort}`, "--ca", ca.caFile],
                /TLS hostname mismatch: the certificate is for DNS:other\.example, not 'localhost'/,
            )
        })

        test("an expired certificate: 'TLS certificate expired on <date>'", async () => {
            await expectRefusal(
                login(),
                ["--broker", `mqtts://localhost:${expiredPort}`, "--ca", ca.caFile],
                /TLS certificate expired on \w{3} +\d+ [\d:]+ \d{4} GMT \(CN=localhost\)/,
            )
        })

        test("a missing --ca file: says which file (exit 1)", async () => {
            const r = await startCli(login(), [
                "--broker",
                `mqtts://localhost:${tlsPort}`,
                "--ca",
                "/nonexistent/ca.pem",
            ]).done
            expect(r.code).toBe(1)
            expect(r.stderr).toMatch(/^error: cannot read the CA file \/nonexistent\/ca\.pem: ENOENT\n$/)
            expect(r.stdout + r.stderr).not.toContain(PASSWORD)
        })
    })

    describe("port mistakes", () => {
        test("mqtt:// to the TLS port: 'this port expects TLS', with the mqtts:// URL to use", async () => {
            await expectRefusal(
                login(),
                ["--broker", `mqtt://127.0.0.1:${tlsPort}`],
                new RegExp(`this port expects TLS: use mqtts://127\\.0\\.0\\.1:${tlsPort}`),
            )
        })

        test("mqtts:// to the plain port: 'this port does not speak TLS', with the mqtt:// URL to use", async () => {
            await expectRefusal(
                login(),
                ["--broker", `mqtts://localhost:${mosquitto.port}`, "--ca", ca.caFile],
                new RegExp(
                    `this port does not speak TLS \\(it answers plain MQTT\\): use mqtt://localhost:${mosquitto.port}`,
                ),
            )
        })

        test("nothing listening: 'connection refused'", async () => {
            const port = await freePort()
            await expectRefusal(
                login(),
                ["--broker", `mqtt://127.0.0.1:${port}`],
                new RegExp(`connection refused \\(nothing listens on 127\\.0\\.0\\.1 port ${port}\\)`),
            )
        })

        test("a port that accepts but never answers: 'timeout'", async () => {
            const silent: Server = createServer(() => {})
            await new Promise<void>(resolve => silent.listen(0, "127.0.0.1", resolve))
            try {
                const port = (silent.address() as { port: number }).port
                await expectRefusal(
                    login(),
                    ["--broker", `mqtt://127.0.0.1:${port}`],
                    /timeout: connected, but no CONNACK within 5000 ms/,
                )
            } finally {
                silent.close()
            }
        })
    })
})
