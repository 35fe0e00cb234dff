/**
 * `npm run bundle [-- --board <id>]`: one flashable image per board with the
 * runtime, the board config, the firmware and the settings, by running
 * `devs bundle --board <id> firmware/main.ts` for each board (sequentially:
 * the CLI starts its devtools hub on the fixed ports 8081-8083).
 *
 * Verified with CLI 2.16.4 (runtime image in the cache, `devs dcfg` and a look
 * at the UF2): the image holds the board config and the program with every
 * setting except WIFI_SSID/WIFI_PWD, which the CLI only sends to a Wi-Fi
 * service and its in-process VM has none. A bundle therefore has no Wi-Fi
 * credentials, but holds every other secret of .env.local (MQTT_PASS).
 */
import { archOf, loadBoards, requireBoard, type BoardConfig } from "./lib/boards.ts"
import { describeFailure, runDevs } from "./lib/devs-cli.ts"
import { checkBoardSettings, readEnvLikeDevs, settingString } from "./lib/env-settings.ts"
import { parseOptions, runMain } from "./lib/main.ts"
import { ensureRuntimeImage } from "./lib/runtime-image.ts"
import { EXIT_USAGE, UserError } from "./lib/user-error.ts"

const ENTRY = "firmware/main.ts"
const BUNDLE_TIMEOUT_MS = 120_000

const USAGE = `usage: npm run bundle [-- --board <id>] [options]

Builds one image per board (default: every board in boards/) holding the
DeviceScript runtime, the board config, ${ENTRY} and the settings of
.env.defaults + .env.local. Flash it with: npm run flash:esp32 -- --board <id> --file <image>

  --board ID     only this board
  --image FILE   the bare runtime image, downloaded on another machine (offline use; needs --board)
  --help         this text

Exit codes: 0 built, 1 no runtime image / bundling failed, 2 bad options or refused settings.`

const OPTIONS = {
    board: { type: "string" },
    image: { type: "string" },
} as const

const PIN_TABLE_LINE = /^[\w$.[\]#@]+: GPIO\d+,/

async function bundleOne(projectDir: string, board: BoardConfig, image: string | undefined): Promise<string> {
    await ensureRuntimeImage(projectDir, archOf(board), image)
    console.log(`bundling ${ENTRY} for ${board.id}`)
    const run = await runDevs(["bundle", "--board", board.id, ENTRY], {
        cwd: projectDir,
        logName: `bundle-${board.id}`,
        echo: line => !PIN_TABLE_LINE.test(line) && !/^WASM> /.test(line),
        timeoutMs: BUNDLE_TIMEOUT_MS,
    })
    const written = /^writing (\d+) bytes to (.+)$/m.exec(run.stdout)
    if (run.code !== 0 || !written) throw new UserError(describeFailure(`bundling ${board.id} failed`, run))
    return written[2]
}

runMain(USAGE, async () => {
    const o = parseOptions(process.argv.slice(2), OPTIONS, USAGE)
    const projectDir = process.cwd()
    if (o.image && !o.board) throw new UserError("--image needs --board (an image is for one architecture)", EXIT_USAGE)
    const boards = o.board ? [requireBoard(projectDir, o.board)] : loadBoards(projectDir)
    if (boards.length === 0) throw new UserError("no board configs in boards/", EXIT_USAGE)

    const env = readEnvLikeDevs(projectDir)
    const refused = boards.flatMap(b => checkBoardSettings(env, b).errors)
    if (refused.length)
        throw new UserError(`refusing to bundle:\n  - ${[...new Set(refused)].join("\n  - ")}`, EXIT_USAGE)
    for (const w of new Set(boards.flatMap(b => checkBoardSettings(env, b).warnings))) console.log(`warning: ${w}`)
    if (settingString(env, "WIFI_SSID"))
        console.log(
            "warning: the bundle will not contain WIFI_SSID/WIFI_PWD (devs bundle drops them): " +
                "after flashing it, run npm run deploy once to give the board its Wi-Fi network",
        )

    const done: string[] = []
    for (const board of boards) done.push(`${board.id}: ${await bundleOne(projectDir, board, o.image)}`)
    console.log(
        `bundles (they contain the settings of .env.local, e.g. MQTT_PASS: do not share them):\n  ${done.join("\n  ")}`,
    )
})
