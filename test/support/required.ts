/**
 * The programs some tests need besides Node: Mosquitto (the broker most e2e files start) and
 * Chromium (the dashboard tests). On a developer's machine a missing one skips the tests that need
 * it. Under CI=true it is a failure instead (issue 25): `.ci/run` installs them, so a missing one
 * means the install broke, and a green run must not stand for tests that never ran. The check
 * throws while the file is collected, so the file fails with the message below. The interop
 * clusters (NATS, RabbitMQ, Redis) pass their own reason to `skipBecause`.
 */
import { mosquittoPath } from "../../host-sim/brokers/mosquitto.ts"
import { chromiumPath } from "../../host-sim/dashboard/chromium.ts"

const TOOLS = {
    mosquitto: { find: mosquittoPath, install: "apt-get install mosquitto mosquitto-clients" },
    chromium: { find: chromiumPath, install: "apt-get install chromium, or CHROMIUM_PATH=<binary>" },
}

export type Tool = keyof typeof TOOLS

/** CI=true (or any value but empty, 0 and false), as CI services and `.ci/run` set it. */
export function inCi(): boolean {
    const v = (process.env.CI ?? "").toLowerCase()
    return v !== "" && v !== "0" && v !== "false"
}

/**
 * Whether the tests that need something may be skipped because of `why` (null: nothing missing).
 * Under CI=true a reason is an error, never a skip.
 */
export function skipBecause(why: string | null): boolean {
    if (why === null) return false
    if (inCi()) throw new Error(`${why}: under CI=true the tests that need it fail instead of being skipped`)
    return true
}

/** Whether `tool` is installed; when it is not, false on a developer's machine, an error under CI=true. */
export function installed(tool: Tool): boolean {
    const t = TOOLS[tool]
    return !skipBecause(t.find() === null ? `${tool} is not installed (Debian: ${t.install})` : null)
}
