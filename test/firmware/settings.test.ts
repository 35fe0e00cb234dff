/**
 * The settings table (firmware/settings.ts) is the one list of device settings: the README
 * configuration table and .env.defaults say what it says (issue 10 item 2).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { DASHBOARD_DIAG_EVERY_MS } from "../../host-sim/cli/cli-args.ts"
import { parseEnv } from "../../host-sim/cli/env-file.ts"
import { SESSION_DEFAULTS } from "../../firmware/mqtt/options.ts"
import { noNetworkRebootS } from "../../firmware/platform.ts"
import { K_BOOL, K_INT, SESSION, settingsTable } from "../../firmware/settings.ts"

const ROOT = join(import.meta.dirname, "../..")
const TABLE = settingsTable()

/** The README's configuration table: setting names and default values, backticked, per row. */
function readmeRows(): { keys: string[]; defaults: string[]; text: string }[] {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8")
    const start = readme.indexOf("| setting | default | meaning |")
    expect(start).toBeGreaterThan(0)
    const rows = readme.slice(start).split("\n\n")[0].split("\n").slice(2)
    return rows.map(r => {
        const cells = r.split(" | ")
        const ticks = (s: string) => [...s.matchAll(/`([^`]*)`/g)].map(m => m[1])
        const dflt = cells[1]
        return { keys: ticks(cells[0]), defaults: dflt.startsWith("empty") ? [""] : ticks(dflt), text: r }
    })
}

describe("the settings table", () => {
    test("keys are DeviceScript settings keys (at most 13 characters) and keys and fields are unique", () => {
        for (const s of TABLE) expect(s.key.length, s.key).toBeLessThanOrEqual(13)
        expect(new Set(TABLE.map(s => s.key)).size).toBe(TABLE.length)
        expect(new Set(TABLE.map(s => s.field)).size).toBe(TABLE.length)
    })

    test("integer settings have their default within their bounds", () => {
        for (const s of TABLE.filter(s => (s.kind & ~SESSION) === K_INT && s.dflt !== null)) {
            expect(s.dflt, s.key).toBeGreaterThanOrEqual(s.min)
            expect(s.dflt, s.key).toBeLessThanOrEqual(s.max)
        }
    })

    test("rows marked SESSION fill a SessionOptions field of the same name and type, with SESSION_DEFAULTS as default", () => {
        const d = SESSION_DEFAULTS as unknown as Record<string, unknown>
        for (const s of TABLE.filter(s => s.kind & SESSION)) {
            expect(Object.keys(d), s.field).toContain(s.field)
            expect(typeof d[s.field], s.key).toBe(
                (s.kind & ~SESSION) === K_INT ? "number" : (s.kind & ~SESSION) === K_BOOL ? "boolean" : "string",
            )
            if (s.dflt !== null) expect(s.dflt, s.key).toBe(d[s.field])
        }
    })
})

describe("the README configuration table says what the settings table says", () => {
    const rows = readmeRows()
    const documented = rows.flatMap(r => r.keys)

    test("every setting of the table has a row, and every row is a setting (MQTT_CA_FILE: host tools only)", () => {
        for (const s of TABLE) expect(documented, s.key).toContain(s.key)
        expect(documented.filter(k => !TABLE.some(s => s.key === k))).toEqual(["WIFI_SSID", "WIFI_PWD", "MQTT_CA_FILE"])
    })

    test("a newcomer needs no other page for a board or for what npm start sets (issue 28)", () => {
        const row = (key: string) => rows.find(r => r.keys.includes(key))?.text ?? ""
        // The DeviceScript runtime's Wi-Fi settings, not the firmware's: a board needs them.
        expect(row("WIFI_SSID")).toContain("`WIFI_PWD`")
        // DEVICE_NAME: the firmware's default and what .env.defaults sets instead.
        const env = parseEnv(readFileSync(join(ROOT, ".env.defaults"), "utf8"))
        expect(row("DEVICE_NAME")).toContain("`.env.defaults`")
        expect(row("DEVICE_NAME")).toContain(`\`${env.DEVICE_NAME}\``)
        // DIAG_EVERY_MS: the firmware's default, and what npm start sets with its dashboard.
        expect(row("DIAG_EVERY_MS")).toContain(`\`${DASHBOARD_DIAG_EVERY_MS}\``)
        expect(row("DIAG_EVERY_MS")).toContain("npm start")
    })

    test("each row's default is the table's (computed ones: what the firmware computes)", () => {
        for (const r of rows) {
            r.keys.forEach((key, i) => {
                const s = TABLE.find(x => x.key === key)
                if (!s || s.key === "DEVICE_NAME") return
                let expected: unknown = s.dflt
                // Computed at boot: the queue's defaults with few sensors, the board's no-network reboot.
                if (s.dflt === null) expected = (SESSION_DEFAULTS as unknown as Record<string, unknown>)[s.field]
                if (s.key === "NONET_RESET_S") expected = noNetworkRebootS("rp2040w")
                const shown = r.defaults.length === 1 ? r.defaults[0] : r.defaults[i]
                expect(shown, r.text).toBe(String(expected))
            })
        }
        // The board default of NONET_RESET_S elsewhere.
        expect(rows.find(r => r.keys.includes("NONET_RESET_S"))!.defaults).toEqual([
            String(noNetworkRebootS("rp2040w")),
            String(noNetworkRebootS("esp32")),
        ])
    })
})

describe(".env.defaults says what the settings table says", () => {
    const env = parseEnv(readFileSync(join(ROOT, ".env.defaults"), "utf8"))

    test("every key is a setting with the table's default (DEVICE_NAME: the simulator's first device)", () => {
        for (const [key, value] of Object.entries(env)) {
            const s = TABLE.find(x => x.key === key)
            expect(s, key).toBeDefined()
            if (key === "DEVICE_NAME") continue
            expect(String(value), key).toBe(String(s!.dflt))
        }
    })
})
