/**
 * `npm run flash:esp32 -- --board <id>` / `npm run flash:pico`: flashes the
 * DeviceScript runtime with this project's board config (I2C pins, status
 * LED) patched in, by running `devs flash <esp32|rp2040> --board <id> --once`.
 *
 * The runtime image is fetched first (runtime-image.ts), so an offline machine
 * stops with a clear message; `--once` makes the CLI fail at once instead of
 * rescanning for 120 s when no board is plugged in.
 */
import { copyFileSync, existsSync } from "node:fs"
import { join, resolve } from "node:path"
import { archOf, gpioOf, requireBoard, type ArchFamily, type BoardConfig } from "./lib/boards.ts"
import { describeFailure, runDevs } from "./lib/devs-cli.ts"
import { parseOptions, runMain } from "./lib/main.ts"
import { ensureRuntimeImage } from "./lib/runtime-image.ts"
import { EXIT_USAGE, UserError } from "./lib/user-error.ts"

const USAGE = `usage: npm run flash:esp32 -- --board <id> [options]
       npm run flash:pico [-- options]

Flashes the DeviceScript runtime, with boards/<id>.board.json patched in, to a
board on USB. Then deploy the firmware with: npm run deploy -- --board <id>

  --board ID     board id from boards/ (flash:pico passes mqtt_pico_w)
  --port PATH    ESP32: the serial port (default: the only ESP32 USB-serial port)
  --drive PATH   Pico W: mount point of its RPI-RP2 drive (default: the CLI looks under /media/$USER)
  --image FILE   the bare runtime image, downloaded on another machine (offline use)
  --file FILE    flash this image as it is (a bundle from npm run bundle): no download, no patching
  --help         this text

Exit codes: 0 flashed, 1 no board / no runtime image / flashing failed, 2 bad options.`

const OPTIONS = {
    board: { type: "string" },
    port: { type: "string" },
    drive: { type: "string" },
    image: { type: "string" },
    file: { type: "string" },
} as const

/** The CLI lists every pin of a custom board; the summary below says what matters. */
const PIN_TABLE_LINE = /^[\w$.[\]#@]+: GPIO\d+,/

function summary(board: BoardConfig): string {
    const sda = gpioOf(board, board.i2c?.pinSDA)
    const scl = gpioOf(board, board.i2c?.pinSCL)
    const led = gpioOf(board, board.led?.pin)
    return `${board.id} (${board.devName}): I2C SDA GPIO${sda} / SCL GPIO${scl}, status LED GPIO${led}`
}

/** What `devs flash rp2040` does with a drive it found itself: write the image as fw.uf2 on the RPI-RP2 drive. */
function copyToDrive(projectDir: string, cliOutput: string, drive: string) {
    const image = /^(\S+\.uf2)$/m.exec(cliOutput)?.[1]
    if (!image) throw new UserError("devs flash --remote did not name the image to copy (CLI output changed?)")
    const dest = join(drive, "fw.uf2")
    console.log(`cp ${image} ${dest}`)
    try {
        copyFileSync(resolve(projectDir, image), dest)
    } catch (e) {
        throw new UserError(`cannot write ${dest}: ${(e as Error).message}`)
    }
}

runMain(USAGE, async () => {
    const [family, ...rest] = process.argv.slice(2)
    if (family !== "esp32" && family !== "rp2040")
        throw new UserError(`the first argument must be esp32 or rp2040, got '${family ?? ""}'\n\n${USAGE}`, EXIT_USAGE)
    const o = parseOptions(rest, OPTIONS, USAGE)
    const projectDir = process.cwd()
    const board = requireBoard(projectDir, o.board, family as ArchFamily)
    const arch = archOf(board)

    const args = ["flash", family, "--board", board.id, "--once"]
    if (o.port) args.push("--port", o.port)
    if (o.drive) {
        if (family !== "rp2040") throw new UserError("--drive is for the Pico W (flash:pico)", EXIT_USAGE)
        if (!existsSync(o.drive))
            throw new UserError(`--drive ${o.drive} does not exist: is the RPI-RP2 drive mounted?`)
        // CLI 2.16.4 mentions --drive but does not accept it: with --remote it patches the image and prints its path.
        args.push("--remote")
    }
    if (o.file) {
        if (!existsSync(o.file)) throw new UserError(`--file ${o.file}: no such file`, EXIT_USAGE)
        args.push("--file", o.file)
    } else {
        await ensureRuntimeImage(projectDir, arch, o.image)
    }

    console.log(`flashing ${summary(board)}`)
    const run = await runDevs(args, {
        cwd: projectDir,
        logName: `flash-${board.id}`,
        // With --drive, the CLI's copy-it-yourself instructions are done by copyToDrive.
        echo: line => !PIN_TABLE_LINE.test(line) && !(o.drive && /^(flash firmware instructions:|-  )/.test(line)),
    })
    if (run.code !== 0) throw new UserError(describeFailure(`flashing ${board.id} failed`, run))
    if (o.drive) copyToDrive(projectDir, run.stdout, o.drive)
    console.log(`flashed ${board.id}. Next: npm run deploy -- --board ${board.id}`)
})
