/**
 * The board configs say what docs/boards.md says, the scripts' architecture facts
 * match the CLI they drive, and the .env reading and failure messages behave
 * like the CLI (the outputs below were captured from CLI 2.16.4 on a machine
 * without a board, without udevadm and without internet).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, test } from "vitest"
import { brokerHostError, privateCaWarning, tlsConfigError } from "../../firmware/platform.ts"
import { ARCHS, archOf, gpioOf, loadBoards, programAreaBytes } from "../../scripts/lib/boards.ts"
import { describeFailure } from "../../scripts/lib/devs-cli.ts"
import { checkBoardSettings, parseEnvLikeDevs, settingString, type EnvRead } from "../../scripts/lib/env-settings.ts"
import { DEVS_CLI, PROJECT_DIR } from "./support.ts"

const BOARDS = loadBoards(PROJECT_DIR)
const board = (id: string) => BOARDS.find(b => b.id === id)!

/** The board table of docs/boards.md, as GPIO numbers. */
const EXPECTED = {
    mqtt_esp32_devkit_c: { archId: "esp32", sda: 21, scl: 22, led: 2 },
    mqtt_xiao_esp32c3: { archId: "esp32c3", sda: 6, scl: 7, led: 10 },
    mqtt_esp32s3_devkit_m: { archId: "esp32s3", sda: 8, scl: 9, led: 48 },
    mqtt_pico_w: { archId: "rp2040w", sda: 4, scl: 5, led: 25 },
}

describe("board configs", () => {
    for (const [id, e] of Object.entries(EXPECTED))
        test(`${id}: I2C SDA GPIO${e.sda}, SCL GPIO${e.scl}, status LED GPIO${e.led}, as in docs/boards.md`, () => {
            const b = board(id)
            expect(b.archId).toBe(e.archId)
            expect(gpioOf(b, b.i2c?.pinSDA)).toBe(e.sda)
            expect(gpioOf(b, b.i2c?.pinSCL)).toBe(e.scl)
            expect(gpioOf(b, b.led?.pin)).toBe(e.led)
            expect(b.i2c?.kHz).toBe(100)
            const boardsDoc = readFileSync(join(PROJECT_DIR, "docs/boards.md"), "utf8")
            expect(boardsDoc).toMatch(new RegExp(`\\| \`${id}\` \\|[^\\n]*GPIO${e.sda}[^\\n]*GPIO${e.scl}`))
        })

    test("product ids are DeviceScript custom ids (0x3xxxxxxx) and distinct", () => {
        const ids = BOARDS.map(b => b.productId)
        for (const p of ids) expect((Number(p) & 0xf0000000) >>> 0).toBe(0x30000000)
        expect(new Set(ids).size).toBe(ids.length)
    })

    test("mono LEDs wired to GND are declared active high (the runtime's default is active low)", () => {
        expect(board("mqtt_esp32_devkit_c").led?.activeHigh).toBe(true)
        expect(board("mqtt_xiao_esp32c3").led?.activeHigh).toBe(true)
    })
})

describe("architecture facts used by the scripts", () => {
    const cli = readFileSync(DEVS_CLI.replace(/devicescript$/, "built/devicescript-cli.cjs"), "utf8")

    for (const [id, arch] of Object.entries(ARCHS))
        test(`${id}: runtime image and storage match the CLI's built-in architecture table`, () => {
            const block = new RegExp(
                `\\n\\s+${id}: \\{\\n\\s+\\$schema: "[^"]+",\\n\\s+bareUrl: "([^"]+)",[^}]*?fstorPages: (\\d+),`,
            ).exec(cli)
            expect(block, `arch ${id} in the CLI`).not.toBeNull()
            expect(block![1]).toBe(arch.runtimeImageUrl)
            expect(Number(block![2])).toBe(arch.fstorPages)
        })

    test("program area: 224 KiB on the ESP32s, 112 KiB on the Pico W", () => {
        expect(programAreaBytes(archOf(board("mqtt_esp32_devkit_c")))).toBe(224 * 1024)
        expect(programAreaBytes(archOf(board("mqtt_pico_w")))).toBe(112 * 1024)
    })
})

function env(text: string, file = ".env.local"): EnvRead {
    const out: EnvRead = { settings: new Map(), problems: [] }
    parseEnvLikeDevs(text, file, out)
    return out
}

describe(".env files read as the DeviceScript CLI reads them", () => {
    test("values are JSON when they parse, strings otherwise; empty means no value", () => {
        const e = env('MQTT_TLS=true\nMQTT_PORT=8883\nDEVICE_NAME="kitchen 1"\nMQTT_HOST=broker.lan\nMQTT_USER=\n')
        expect(e.settings.get("MQTT_TLS")?.value).toBe(true)
        expect(e.settings.get("MQTT_PORT")?.value).toBe(8883)
        expect(e.settings.get("DEVICE_NAME")?.value).toBe("kitchen 1")
        expect(settingString(e, "MQTT_HOST")).toBe("broker.lan")
        expect(settingString(e, "MQTT_USER")).toBeUndefined()
        expect(e.problems).toEqual([])
    })

    test("a line with '#' anywhere is dropped by the CLI: flagged by key and line, never with its value", () => {
        const e = env("# a comment\nWIFI_PWD=pa#ss-sentinel\nMQTT_HOST=10.0.0.2 # the broker\n")
        expect(e.settings.has("WIFI_PWD")).toBe(false)
        expect(e.problems).toHaveLength(2)
        expect(e.problems[0]).toMatch(/^\.env\.local line 2 \(WIFI_PWD\) contains '#'/)
        expect(e.problems.join()).not.toContain("sentinel")
    })

    test("spaces around '=' are kept by the CLI: flagged", () => {
        const e = env("DEVICE_NAME = kitchen\n")
        expect(e.settings.has("DEVICE_NAME ")).toBe(true)
        expect(e.problems[0]).toMatch(/line 1 \(DEVICE_NAME\) has spaces/)
    })
})

describe("settings checks before a board gets them", () => {
    const ok = "WIFI_SSID=home\nWIFI_PWD=pw\nMQTT_HOST=broker.lan\nDEVICE_NAME=kitchen\n"

    test("MQTT_TLS=true on Pico W is refused with the firmware's own boot message; fine on ESP32", () => {
        const e = env(ok + "MQTT_TLS=true\n")
        const pico = checkBoardSettings(e, board("mqtt_pico_w"))
        expect(pico.errors).toEqual([`mqtt_pico_w: ${tlsConfigError(true, "rp2040w")} (.env.local line 5)`])
        expect(checkBoardSettings(e, board("mqtt_esp32s3_devkit_m")).errors).toEqual([])
    })

    test("a private CA (MQTT_CA_FILE) with TLS: ESP32 boards are warned that they trust only their built-in CA bundle", () => {
        const e = env(ok + "MQTT_TLS=true\nMQTT_CA_FILE=certs/ca.pem\n")
        const esp = checkBoardSettings(e, board("mqtt_xiao_esp32c3"))
        expect(esp.errors).toEqual([])
        expect(esp.warnings).toContain(`mqtt_xiao_esp32c3: ${privateCaWarning("esp32c3")} (.env.local line 6)`)
        expect(privateCaWarning("esp32c3")).toMatch(/trusts only its built-in CA bundle, not a private CA/)
        // Pico W: the TLS refusal already says it all.
        expect(checkBoardSettings(e, board("mqtt_pico_w")).warnings.join("\n")).not.toMatch(/CA bundle/)
        // Without TLS the CA file is for nothing on the board: no warning.
        expect(
            checkBoardSettings(env(ok + "MQTT_CA_FILE=ca.pem\n"), board("mqtt_xiao_esp32c3")).warnings.join("\n"),
        ).not.toMatch(/CA bundle/)
    })

    test("a loopback or missing MQTT_HOST is refused: on a board it is the board itself", () => {
        for (const host of ["127.0.0.1", "localhost", "::1"])
            expect(checkBoardSettings(env(`MQTT_HOST=${host}\n`), board("mqtt_xiao_esp32c3")).errors[0]).toMatch(
                /is the board itself/,
            )
        expect(checkBoardSettings(env("WIFI_SSID=x\n"), board("mqtt_xiao_esp32c3")).errors[0]).toMatch(
            /MQTT_HOST is not set/,
        )
    })

    test("an IP-literal MQTT_HOST is refused for Pico W with the firmware's own boot message; fine on ESP32", () => {
        const e = env("WIFI_SSID=home\nMQTT_HOST=192.168.1.10\nDEVICE_NAME=kitchen\n")
        expect(checkBoardSettings(e, board("mqtt_pico_w")).errors).toEqual([
            `mqtt_pico_w: ${brokerHostError("192.168.1.10", "rp2040w")} (.env.local line 2)`,
        ])
        expect(checkBoardSettings(e, board("mqtt_esp32_devkit_c")).errors).toEqual([])
    })

    test("no Wi-Fi network and the simulator's DEVICE_NAME are warnings, not errors", () => {
        const e = env("DEVICE_NAME=sim1\n", ".env.defaults")
        parseEnvLikeDevs("MQTT_HOST=broker.lan\n", ".env.local", e)
        const c = checkBoardSettings(e, board("mqtt_pico_w"))
        expect(c.errors).toEqual([])
        expect(c.warnings.join("\n")).toMatch(/WIFI_SSID is not set[\s\S]*DEVICE_NAME=sim1 comes from \.env\.defaults/)
    })
})

describe("CLI failures become one message (outputs captured from devs 2.16.4)", () => {
    const run = (stdout: string, stderr: string, code = 1) => ({
        code,
        stdout,
        stderr,
        logFile: ".devicescript/logs/x.log",
    })
    const udevadm = `node:internal/child_process:285\n      const err = new ErrnoException(exitCode, syscall);\n\nError: spawn udevadm ENOENT\n    at ChildProcess._handle.onexit (node:internal/child_process:285:19)\n  syscall: 'spawn udevadm',\n`
    const fetchFailed = `node:internal/deps/undici/undici:14976\n      Error.captureStackTrace(err);\n\nTypeError: fetch failed\n    at async fetchFW (/x/devicescript-cli.cjs:491564:18)\n  [cause]: Error: getaddrinfo ENOTFOUND github.com\n`

    test("devs flash esp32 without udevadm", () => {
        expect(describeFailure("flashing failed", run("using devs: v2.16.4\n", udevadm))).toMatch(
            /^flashing failed: cannot list serial ports: `udevadm` is not installed.*\(full output: \.devicescript\/logs\/x\.log\)$/,
        )
    })

    test("devs flash rp2040 offline", () => {
        const out =
            "fetch https://github.com/microsoft/devicescript-pico/releases/latest/download/devicescript-rp2040w-pico_w.uf2\n"
        expect(describeFailure("flashing failed", run(out, fetchFailed))).toMatch(
            /cannot download the DeviceScript runtime image/,
        )
    })

    test("devs flash rp2040 with no Pico in BOOTSEL mode", () => {
        const err =
            "fatal error: no drives found; please plug your board while holding BOOTSEL button (or specify --drive)\n"
        expect(describeFailure("flashing failed", run("", err))).toMatch(/no Pico W in BOOTSEL mode found/)
    })

    test("devs devtools with no DeviceScript device", () => {
        const out =
            "build firmware/main.ts OK\ndeploy status: No DeviceScript device found.\nwatching firmware/main.ts...\n"
        expect(describeFailure("deploy failed", run(out, "Deploy error: No DeviceScript device found.\n"))).toMatch(
            /no DeviceScript board answered over USB serial/,
        )
    })

    test("devtools ports taken (exit code 100)", () => {
        expect(describeFailure("bundling failed", run("", "", 100))).toMatch(/ports 8081-8083 are taken/)
    })

    test("any other fatal error is passed on as one line", () => {
        expect(describeFailure("flashing failed", run("", "fatal error: invalid board id: nope\n"))).toMatch(
            /^flashing failed: invalid board id: nope \(full output/,
        )
    })
})
