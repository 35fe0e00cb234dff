/**
 * npm run flash:esp32 / flash:pico / deploy / bundle on a machine without a
 * board: each ends with one `error: ...` line and a non-zero exit code, never
 * a stack trace, and never prints a secret. Each run gets its own project copy
 * and an environment where no serial port can be listed, no RPI-RP2 drive is
 * mounted and the runtime download is refused (support.ts, runScript); no test
 * here can reach a real board, even on a machine that has one plugged in.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { privateCaWarning, tlsConfigError } from "../../firmware/platform.ts"
import {
    closedPort,
    fakeEsp32Bin,
    fakeRp2040Uf2,
    makeProjectCopy,
    removeDir,
    runScript,
    STACK_TRACE,
    uf2Payload,
    type ScriptRun,
} from "./support.ts"

const ALL_BOARDS = ["mqtt_esp32_devkit_c", "mqtt_esp32s3_devkit_m", "mqtt_pico_w", "mqtt_xiao_esp32c3"].map(
    id => `${id}.board.json`,
)
const SECRET = "sentinel-Secret-4711"
const LAN_ENV = `WIFI_SSID=home\nWIFI_PWD=${SECRET}\nMQTT_PASS=${SECRET}\nMQTT_HOST=192.0.2.10\nDEVICE_NAME=kitchen\n`

let mirrorPort = 0
const copies: string[] = []
const runs: ScriptRun[] = []

function project(envLocal = LAN_ENV): string {
    const dir = makeProjectCopy(ALL_BOARDS, envLocal)
    copies.push(dir)
    return dir
}

async function run(cwd: string, script: string, ...args: string[]): Promise<ScriptRun> {
    const r = await runScript(cwd, script, args, mirrorPort)
    runs.push(r)
    return r
}

/** Exit code, one clear `error:` line, no stack trace. */
function expectClearFailure(r: ScriptRun, code: number, message: RegExp) {
    const all = `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
    expect(r.code, all).toBe(code)
    expect(r.stderr, all).toMatch(/^error: /)
    expect(r.stderr, all).toMatch(message)
    expect(r.stderr, all).not.toMatch(STACK_TRACE)
}

beforeAll(async () => {
    mirrorPort = await closedPort()
})

afterAll(() => {
    for (const d of copies) removeDir(d)
})

describe("flash", () => {
    test("flash:esp32 with the runtime image unreachable: says so and how to flash offline (exit 1)", async () => {
        const r = await run(project(), "flash.ts", "esp32", "--board", "mqtt_esp32_devkit_c")
        expectClearFailure(
            r,
            1,
            /cannot download the DeviceScript runtime image .*devicescript-esp32-esp32_bare-0x1000\.bin: connection refused/,
        )
        expect(r.stderr).toMatch(/--image <file>/)
    })

    test("flash:pico with the runtime image unreachable (exit 1)", async () => {
        const r = await run(project(), "flash.ts", "rp2040", "--board", "mqtt_pico_w")
        expectClearFailure(r, 1, /cannot download the DeviceScript runtime image .*devicescript-rp2040w-pico_w\.uf2/)
    })

    test("flash:pico with an image but no Pico in BOOTSEL mode: the board config is patched in, then 'no Pico W' (exit 1)", async () => {
        const dir = project()
        const image = join(dir, "runtime.uf2")
        writeFileSync(image, fakeRp2040Uf2())
        const r = await run(dir, "flash.ts", "rp2040", "--board", "mqtt_pico_w", "--image", image)
        expectClearFailure(r, 1, /no Pico W in BOOTSEL mode found/)
        expect(r.stdout).toContain("patching devicescript-rp2040w-pico_w.uf2 -> devicescript-rp2040w-mqtt_pico_w.uf2")
        // The image the CLI would copy to the drive carries our board config (DCFG) at 0x100dc000.
        const patched = uf2Payload(readFileSync(join(dir, ".devicescript/cache/devicescript-rp2040w-mqtt_pico_w.uf2")))
        const dcfg = patched.subarray(0xdc000)
        expect(dcfg.subarray(0, 4).toString("latin1")).toBe("DCFG")
        for (const s of ["i2c.pinSDA", "i2c.pinSCL", "GP4", "GP5", "led.type", "mqtt_pico_w"])
            expect(dcfg.includes(s)).toBe(true)
        expect(readFileSync(join(dir, ".devicescript/logs/flash-mqtt_pico_w.log"), "utf8")).toContain("no drives found")
    })

    test("flash:pico --drive DIR writes the patched image as DIR/fw.uf2, as the CLI does with the drive it finds", async () => {
        const dir = project()
        const image = join(dir, "runtime.uf2")
        writeFileSync(image, fakeRp2040Uf2())
        const drive = join(dir, "RPI-RP2")
        mkdirSync(drive)
        const r = await run(dir, "flash.ts", "rp2040", "--board", "mqtt_pico_w", "--image", image, "--drive", drive)
        expect(r.code, r.stdout + r.stderr).toBe(0)
        const dcfg = uf2Payload(readFileSync(join(drive, "fw.uf2"))).subarray(0xdc000)
        expect(dcfg.subarray(0, 4).toString("latin1")).toBe("DCFG")
        expect(dcfg.includes("mqtt_pico_w")).toBe(true)
    })

    test("flash:esp32 with an image but no serial port: 'no board' (exit 1)", async () => {
        const dir = project()
        const image = join(dir, "runtime.bin")
        writeFileSync(image, fakeEsp32Bin())
        const r = await run(
            dir,
            "flash.ts",
            "esp32",
            "--board",
            "mqtt_xiao_esp32c3",
            "--image",
            image,
            "--port",
            "/dev/devs-test-no-such-port",
        )
        expectClearFailure(r, 1, /cannot list serial ports|serial port \/dev\/devs-test-no-such-port does not exist/)
    })

    test("a Pico W board given to flash:esp32 is a usage error listing the ESP32 boards (exit 2)", async () => {
        const r = await run(project(), "flash.ts", "esp32", "--board", "mqtt_pico_w")
        expectClearFailure(r, 2, /unknown board 'mqtt_pico_w'.*\n.*--board mqtt_esp32_devkit_c/)
    })
})

/** What deploy says without a board: no serial port can be listed (no udevadm), or none answered. */
const NO_BOARD = /cannot list serial ports|no board found|no DeviceScript board answered over USB serial/

describe("deploy", () => {
    // Without udevadm no serial port can be listed on Linux, and deploy stops before devtools; with it
    // (Debian's chromium pulls in udev) the ports are listed, none answers, and deploy says so.
    // On macOS/Windows a plugged-in board would be found.
    test.skipIf(process.platform !== "linux")("no board: says the board cannot be found (exit 1)", async () => {
        const dir = project()
        const r = await run(dir, "deploy.ts", "--board", "mqtt_esp32s3_devkit_m")
        expectClearFailure(r, 1, NO_BOARD)
        if (/cannot list serial ports/.test(r.stderr)) expect(existsSync(join(dir, ".devicescript/logs"))).toBe(false)
    })

    test("MQTT_TLS=true for a Pico W is refused with the firmware's message (exit 2)", async () => {
        const r = await run(project(LAN_ENV + "MQTT_TLS=true\nMQTT_PORT=8883\n"), "deploy.ts", "--board", "mqtt_pico_w")
        expectClearFailure(r, 2, /refusing to deploy to mqtt_pico_w/)
        expect(r.stderr).toContain(tlsConfigError(true, "rp2040w"))
    })

    test.skipIf(process.platform !== "linux")(
        "a private CA (MQTT_CA_FILE) with TLS for an ESP32: warned once that the board trusts only its built-in CA bundle",
        async () => {
            const r = await run(
                project(LAN_ENV + "MQTT_TLS=true\nMQTT_PORT=8883\nMQTT_CA_FILE=certs/ca.pem\n"),
                "deploy.ts",
                "--board",
                "mqtt_esp32_devkit_c",
            )
            const warnings = r.stdout.split("\n").filter(l => l.includes("CA bundle"))
            expect(warnings).toEqual([`warning: mqtt_esp32_devkit_c: ${privateCaWarning("esp32")} (.env.local line 8)`])
            expectClearFailure(r, 1, NO_BOARD)
            expect(r.stdout + r.stderr).not.toContain(SECRET)
        },
    )

    test("MQTT_HOST left at the simulator's 127.0.0.1 is refused (exit 2)", async () => {
        const r = await run(project("WIFI_SSID=home\n"), "deploy.ts", "--board", "mqtt_xiao_esp32c3")
        expectClearFailure(r, 2, /MQTT_HOST=127\.0\.0\.1 \(\.env\.defaults line \d+\) is the board itself/)
    })
})

describe("bundle", () => {
    test("runtime image unreachable: says so (exit 1)", async () => {
        const r = await run(project(), "bundle.ts", "--board", "mqtt_esp32s3_devkit_m")
        expectClearFailure(
            r,
            1,
            /cannot download the DeviceScript runtime image .*devicescript-esp32s3-esp32s3_bare-0x0\.bin/,
        )
        expect(r.stdout).toMatch(/bundle will not contain WIFI_SSID\/WIFI_PWD/)
    })

    test("every board, with MQTT_TLS=true: refused because of the Pico W (exit 2)", async () => {
        const r = await run(project(LAN_ENV + "MQTT_TLS=true\n"), "bundle.ts")
        expectClearFailure(
            r,
            2,
            /refusing to bundle:\n {2}- mqtt_pico_w: MQTT_TLS=true, but the rp2040w DeviceScript runtime has no TLS/,
        )
    })
})

test("no secret from .env.local appears in any output or log", () => {
    expect(runs.length).toBeGreaterThanOrEqual(10)
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain(SECRET)
    for (const d of copies) {
        const logs = join(d, ".devicescript/logs")
        if (!existsSync(logs)) continue
        for (const f of readdirSync(logs)) expect(readFileSync(join(logs, f), "utf8")).not.toContain(SECRET)
    }
})
