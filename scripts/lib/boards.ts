/**
 * The project's board configs (`boards/<id>.board.json`, the DeviceScript
 * format) and the few facts about their architectures that the flash, deploy
 * and bundle scripts need.
 *
 * The DeviceScript CLI reads every `./boards/*.board.json` of the project at
 * each build, flash and bundle: the file name is the board id, and a custom
 * board may not reuse a built-in id (`board pico_w already defined`), hence the
 * `mqtt_` prefix. A custom board has no `$fwUrl`, so `devs flash` downloads the
 * architecture's bare runtime image and patches the board config into it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { UserError } from "./user-error.ts"

export type ArchFamily = "esp32" | "rp2040"

export interface ArchInfo {
    family: ArchFamily
    /** Bare runtime image that `devs flash` / `devs bundle` download for a custom board (`bareUrl` in the CLI). */
    runtimeImageUrl: string
    /** Settings + program storage ("fstor") of the runtime, `fstorPages` x `flashPageSize` in the CLI. */
    fstorPages: number
    flashPageSize: number
}

/** From the architecture table built into @devicescript/cli 2.16.4 (test/boards checks they still agree). */
export const ARCHS: Record<string, ArchInfo> = {
    esp32: {
        family: "esp32",
        runtimeImageUrl:
            "https://github.com/microsoft/devicescript-esp32/releases/latest/download/devicescript-esp32-esp32_bare-0x1000.bin",
        fstorPages: 64,
        flashPageSize: 4096,
    },
    esp32c3: {
        family: "esp32",
        runtimeImageUrl:
            "https://github.com/microsoft/devicescript-esp32/releases/latest/download/devicescript-esp32c3-esp32c3_bare-0x0.bin",
        fstorPages: 64,
        flashPageSize: 4096,
    },
    esp32s3: {
        family: "esp32",
        runtimeImageUrl:
            "https://github.com/microsoft/devicescript-esp32/releases/latest/download/devicescript-esp32s3-esp32s3_bare-0x0.bin",
        fstorPages: 64,
        flashPageSize: 4096,
    },
    rp2040w: {
        family: "rp2040",
        runtimeImageUrl:
            "https://github.com/microsoft/devicescript-pico/releases/latest/download/devicescript-rp2040w-pico_w.uf2",
        fstorPages: 32,
        flashPageSize: 4096,
    },
}

export interface BoardConfig {
    id: string
    devName: string
    archId: string
    productId: string
    i2c?: { pinSDA: string | number; pinSCL: string | number; kHz?: number }
    led?: { pin?: string | number; type?: number; activeHigh?: boolean }
    pins: Record<string, number>
}

export function boardsDir(projectDir: string): string {
    return join(projectDir, "boards")
}

export function loadBoards(projectDir: string): BoardConfig[] {
    const dir = boardsDir(projectDir)
    if (!existsSync(dir)) return []
    return readdirSync(dir)
        .filter(f => f.endsWith(".board.json"))
        .sort()
        .map(f => {
            const cfg = JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<BoardConfig, "id">
            return { ...cfg, id: basename(f, ".board.json") }
        })
}

export function archOf(board: BoardConfig): ArchInfo {
    const arch = ARCHS[board.archId]
    if (!arch) throw new UserError(`board ${board.id}: archId ${board.archId} is not one this project supports`, 2)
    return arch
}

/** The board with this id among ./boards, of the given family if any; otherwise a usage error listing the choices. */
export function requireBoard(projectDir: string, id: string | undefined, family?: ArchFamily): BoardConfig {
    const boards = loadBoards(projectDir).filter(b => !family || ARCHS[b.archId]?.family === family)
    const board = boards.find(b => b.id === id)
    if (board) return board
    const choices = boards.map(b => `  --board ${b.id.padEnd(24)} ${b.devName}`).join("\n")
    const what = family ? `${family === "esp32" ? "an ESP32" : "an RP2040"} board` : "a board"
    const head = id ? `unknown board '${id}' for this command` : "missing --board"
    throw new UserError(`${head}: choose ${what} from boards/:\n${choices}`, 2)
}

/** GPIO number of a pin given as a number or as a label of `pins`. */
export function gpioOf(board: BoardConfig, ref: string | number | undefined): number | undefined {
    if (typeof ref === "number") return ref
    if (ref === undefined) return undefined
    return board.pins[ref]
}

/**
 * Bytes the runtime can give to the program: the fstor data pages. The
 * storage keeps two copies of its header (1/16 of the pages each, at least
 * one page); large entries such as the program use the remaining pages
 * (jacdac-c source/jd_fstor.c).
 */
export function programAreaBytes(arch: ArchInfo): number {
    const headerPages = Math.max(1, Math.floor(arch.fstorPages / 16))
    return (arch.fstorPages - 2 * headerPages) * arch.flashPageSize
}
