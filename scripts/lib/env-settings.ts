/**
 * The settings a board will receive from `.env.defaults` + `.env.local`, read
 * exactly the way the DeviceScript CLI 2.16.4 reads them (`parseToSettings`),
 * and the checks the deploy and bundle scripts make before anything reaches a
 * board. Secrets (WIFI_PWD, MQTT_PASS, ...) are never printed: messages name
 * keys, files and line numbers; only MQTT_HOST and DEVICE_NAME are quoted.
 *
 * The CLI's parser differs from the simulator's (host-sim/cli/env-file.ts): it
 * drops every line that contains '#' anywhere (not only comments), keeps the
 * spaces around '=' in keys and values, and JSON-parses values ("true" -> true,
 * "1883" -> 1883, "\"a b\"" -> "a b", anything else stays a string).
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { brokerHostError, privateCaWarning, tlsConfigError } from "../../firmware/platform.ts"
import type { BoardConfig } from "./boards.ts"

export const ENV_FILES = [".env.defaults", ".env.local"] as const

export interface EnvSetting {
    /** undefined: an empty value, which the CLI turns into "no value". */
    value: unknown
    file: string
    line: number
}

export interface EnvRead {
    settings: Map<string, EnvSetting>
    /** Lines the CLI silently ignores although they look like settings. */
    problems: string[]
}

function jsonOrString(s: string): unknown {
    if (!s.length) return undefined
    try {
        return JSON.parse(s)
    } catch {
        return s
    }
}

export function parseEnvLikeDevs(text: string, file: string, into: EnvRead): void {
    text.split(/\r?\n/).forEach((line, i) => {
        const n = i + 1
        if (line.includes("#")) {
            const m = /^\s*([^#=\s][^#=]*?)\s*=/.exec(line)
            if (m)
                into.problems.push(
                    `${file} line ${n} (${m[1]}) contains '#': the DeviceScript CLI ignores every line with a '#' ` +
                        `(comment or not), so ${m[1]} would not reach the board; remove the '#' or the trailing comment`,
                )
            return
        }
        const m = /(?<key>[^=]+)\s*=(?<value>[^#]*)#?/.exec(line)
        if (!m?.groups) return
        const { key, value } = m.groups
        if (key !== key.trim() || (value.length > 0 && value !== value.trim()))
            into.problems.push(
                `${file} line ${n} (${key.trim()}) has spaces around '=' or the value: the DeviceScript CLI keeps them ` +
                    `(the board would get the key '${key}'); write KEY=value`,
            )
        into.settings.set(key, { value: jsonOrString(value), file, line: n })
    })
}

export function readEnvLikeDevs(projectDir: string): EnvRead {
    const out: EnvRead = { settings: new Map(), problems: [] }
    for (const f of ENV_FILES) {
        const p = join(projectDir, f)
        if (existsSync(p)) parseEnvLikeDevs(readFileSync(p, "utf8"), f, out)
    }
    return out
}

/** As the firmware reads it: config.ts compares `"" + value` with "true". */
export function settingString(env: EnvRead, key: string): string | undefined {
    const s = env.settings.get(key)
    return s === undefined || s.value === undefined ? undefined : String(s.value)
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i

export interface SettingsCheck {
    errors: string[]
    warnings: string[]
}

/** What must hold before the settings are deployed to (or bundled for) a real board. */
export function checkBoardSettings(env: EnvRead, board: BoardConfig): SettingsCheck {
    const errors = [...env.problems]
    const warnings: string[] = []
    const where = (k: string) => {
        const s = env.settings.get(k)
        return s ? ` (${s.file} line ${s.line})` : ""
    }

    // Pico W: [firmware/platform.ts] tlsConfigError, the same rule the firmware applies at boot.
    const tlsError = tlsConfigError(settingString(env, "MQTT_TLS") === "true", board.archId)
    if (tlsError) errors.push(`${board.id}: ${tlsError}${where("MQTT_TLS")}`)
    // A private CA works for the host tools (--ca, MQTT_CA_FILE) but no board runtime can take one.
    const caWarning =
        settingString(env, "MQTT_TLS") === "true" && settingString(env, "MQTT_CA_FILE")
            ? privateCaWarning(board.archId)
            : ""
    if (caWarning) warnings.push(`${board.id}: ${caWarning}${where("MQTT_CA_FILE")}`)

    const host = settingString(env, "MQTT_HOST")
    const hostError = host ? brokerHostError(host, board.archId) : ""
    if (!host) errors.push("MQTT_HOST is not set: put your broker's address in .env.local")
    else if (hostError) errors.push(`${board.id}: ${hostError}${where("MQTT_HOST")}`)
    else if (LOOPBACK.test(host))
        errors.push(
            `MQTT_HOST=${host}${where("MQTT_HOST")} is the board itself, not your broker: ` +
                "set MQTT_HOST to the broker's LAN address or name in .env.local",
        )

    if (!settingString(env, "WIFI_SSID"))
        warnings.push("WIFI_SSID is not set in .env.local: the board keeps the Wi-Fi networks it already knows")
    const name = env.settings.get("DEVICE_NAME")
    if (name?.file === ".env.defaults")
        warnings.push(
            `DEVICE_NAME=${String(name.value)} comes from .env.defaults: every board deployed with it gets the same ` +
                "MQTT client id (the broker disconnects the previous one); set DEVICE_NAME in .env.local",
        )
    return { errors, warnings }
}
