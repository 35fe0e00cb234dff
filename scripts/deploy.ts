/**
 * `npm run deploy -- --board <id>`: builds firmware/main.ts and deploys the
 * bytecode plus the settings of `.env.defaults` + `.env.local` (Wi-Fi network,
 * broker) to the board on USB, the way the DeviceScript tools do it:
 * `devs devtools firmware/main.ts --serial` builds, deploys once and then
 * keeps watching; this script stops it as soon as it reports the deploy.
 *
 * Before anything reaches the board, the settings are checked for the board
 * given: a TLS broker on Pico W is refused (no TLS in its runtime), so is a
 * loopback MQTT_HOST, and lines the CLI would silently drop.
 */
import { requireBoard } from "./lib/boards.ts"
import { describeFailure, runDevs } from "./lib/devs-cli.ts"
import { checkBoardSettings, readEnvLikeDevs } from "./lib/env-settings.ts"
import { parseOptions, runMain } from "./lib/main.ts"
import { requireSomeSerialPort } from "./lib/serial.ts"
import { EXIT_USAGE, UserError } from "./lib/user-error.ts"

const ENTRY = "firmware/main.ts"
/** Build (~3 s) + enumeration (1 s) + deploy of ~30 KB over serial, with a wide margin. */
const DEPLOY_TIMEOUT_S = 90

const USAGE = `usage: npm run deploy -- --board <id> [options]

Builds ${ENTRY} and deploys it with the settings of .env.defaults + .env.local
(WIFI_SSID, WIFI_PWD, MQTT_HOST, ...) to the board on USB, which must run the
DeviceScript runtime (npm run flash:esp32 / flash:pico).

  --board ID      board id from boards/ (its settings are checked for this board)
  --usb           talk to the board over USB (HF2) instead of USB serial
  --timeout S     give up after S seconds (default ${DEPLOY_TIMEOUT_S})
  --help          this text

Exit codes: 0 deployed, 1 no board / deploy failed, 2 bad options or refused settings.`

const OPTIONS = {
    board: { type: "string" },
    usb: { type: "boolean" },
    timeout: { type: "string" },
} as const

runMain(USAGE, async () => {
    const o = parseOptions(process.argv.slice(2), OPTIONS, USAGE)
    const projectDir = process.cwd()
    const board = requireBoard(projectDir, o.board)
    const timeoutS = o.timeout === undefined ? DEPLOY_TIMEOUT_S : Number(o.timeout)
    if (!(timeoutS > 0)) throw new UserError(`--timeout needs a positive number of seconds`, EXIT_USAGE)

    const env = readEnvLikeDevs(projectDir)
    const check = checkBoardSettings(env, board)
    for (const w of check.warnings) console.log(`warning: ${w}`)
    if (check.errors.length)
        throw new UserError(`refusing to deploy to ${board.id}:\n  - ${check.errors.join("\n  - ")}`, EXIT_USAGE)

    if (!o.usb) await requireSomeSerialPort()

    const keys = [...env.settings.keys()].filter(k => env.settings.get(k)?.value !== undefined)
    console.log(`deploying ${ENTRY} and settings ${keys.join(", ")} to ${board.id} (values not shown)`)
    const run = await runDevs(["devtools", ENTRY, o.usb ? "--usb" : "--serial"], {
        cwd: projectDir,
        logName: `deploy-${board.id}`,
        stopWhen: line => /^deploy status: |^build \S+ Failed|^watching /.test(line),
        timeoutMs: timeoutS * 1000,
    })
    const status = /^deploy status: (.*)$/m.exec(run.stdout)?.[1]
    if (status === "OK") {
        console.log(`deployed to ${board.id}. Device log: npm run logs`)
        return
    }
    if (/^build \S+ Failed/m.test(run.stdout)) {
        const diagnostics = run.stderr.split("\n").filter(l => /\(\d+,\d+\)|error TS\d+|: error/.test(l))
        throw new UserError(`${ENTRY} does not compile:\n${diagnostics.join("\n")}`)
    }
    if (run.timedOut)
        throw new UserError(
            `deploy to ${board.id} failed: no result within ${timeoutS} s (full output: ${run.logFile})`,
        )
    // A status other than OK ("No DeviceScript device found.", ...) goes first: it is the cause.
    throw new UserError(
        describeFailure(`deploy to ${board.id} failed`, { ...run, stdout: `${status ?? ""}\n${run.stdout}` }),
    )
})
