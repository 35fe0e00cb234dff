/**
 * Reads `.env.defaults` then `.env.local` (later wins), the files DeviceScript
 * deploys as settings. Values that look like numbers or booleans are written
 * as JSON numbers/booleans, everything else as strings.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { SettingValue } from "../device/vm-device.ts"

export function parseEnv(text: string): Record<string, SettingValue> {
    const out: Record<string, SettingValue> = {}
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim()
        if (!line || line.startsWith("#")) continue
        const eq = line.indexOf("=")
        if (eq <= 0) continue
        const key = line.slice(0, eq).trim()
        let value = line.slice(eq + 1).trim()
        if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1)
        // Only a number that reads back the same ("1883", not "007" or "1.50"): a password stays what was typed.
        const isNumber = /^-?\d+(\.\d+)?$/.test(value) && String(Number(value)) === value
        out[key] = isNumber ? Number(value) : value === "true" ? true : value === "false" ? false : value
    }
    return out
}

export function readEnvFiles(dir: string): Record<string, SettingValue> {
    let out: Record<string, SettingValue> = {}
    for (const name of [".env.defaults", ".env.local"]) {
        const p = join(dir, name)
        if (existsSync(p)) out = { ...out, ...parseEnv(readFileSync(p, "utf8")) }
    }
    return out
}
