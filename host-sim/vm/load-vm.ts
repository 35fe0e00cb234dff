/**
 * Loads the DeviceScript WASM VM that ships inside @devicescript/cli.
 *
 * The CLI is published as one bundled file and does not export its VM, and no
 * `@devicescript/vm` package exists on the registry. The VM is an Emscripten
 * module wrapped in a `__commonJS` section of that bundle; we cut that section
 * out and evaluate it. This ties us to the exact CLI version pinned in
 * package.json (2.16.4); `test/host-sim/load-vm.test.ts` fails loudly if the
 * bundle layout changes.
 *
 * Why not `devs vm` + `devs devtools`: the devtools hub listens on fixed ports
 * (8081-8083, one hub per machine), so tests could not run in parallel and
 * `npm test` would collide with a running `npm start`. In-process VMs have no
 * ports at all.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"

const require = createRequire(import.meta.url)
const SECTION_START = "var require_devicescript_vm = __commonJS({"
const SECTION_END = "\n});\n"

/** The subset of the Emscripten module we use. */
export interface DevsVM {
    devsStart(): void
    devsStop(): void
    devsDeploy(binary: Uint8Array): number
    devsSetDeviceId(id: string): void
    devsGcStress(on: boolean): void
    handlePacket(frame: Uint8Array): void
    sendPacket: (frame: Uint8Array) => void
    dmesg: (line: string) => void
    log: (...args: unknown[]) => void
    error: (...args: unknown[]) => void
    /** Read once when the VM initialises (em_flash_size); 128 KiB when unset. */
    flashSize?: number
    flashLoad: (() => Uint8Array) | null
    flashSave: ((buf: Uint8Array) => void) | null
    panicHandler?: (code: number) => void
    /** Socket hooks, looked up by the C glue at call time (`_jd_tcpsock_new` … `_jd_tcpsock_is_available`). */
    sockOpen(hostPtr: number, port: number): number
    sockClose(): number
    sockWrite(ptr: number, len: number): number
    sockIsAvailable(): boolean
    /** Socket events into the runtime: open 1, close 2, error 3 (UTF-8 text), data 4. */
    _jd_em_tcpsock_on_event(type: number, ptr: number, len: number): void
    /** One run of the runtime's loop; returns the µs until it wants to run again (the glue's process2 calls it). */
    _jd_em_process(): number
    _malloc(size: number): number
    _free(ptr: number): void
    HEAPU8: Uint8Array
}

type Factory = (moduleArg?: object) => Promise<DevsVM>
let cached: Factory | undefined

export function cliBundlePath(): string {
    return require.resolve("@devicescript/cli/built/devicescript-cli.cjs")
}

/** Returns the Emscripten factory; each call of the factory is a fresh VM instance. */
export function vmFactory(): Factory {
    if (cached) return cached
    const file = cliBundlePath()
    const src = readFileSync(file, "utf8")
    const start = src.indexOf(SECTION_START)
    const end = start < 0 ? -1 : src.indexOf(SECTION_END, start)
    if (start < 0 || end < 0)
        throw new Error(
            `cannot find the DeviceScript VM inside ${file}: the @devicescript/cli bundle layout changed (expected 2.16.4)`,
        )
    const body = src.slice(start + SECTION_START.length, end)
    const section = new Function("require", "__filename", "__dirname", `return ({${body}})`)(
        require,
        file,
        dirname(file),
    ) as Record<string, (e: object, m: { exports: unknown }) => void>
    const mod = { exports: {} as unknown }
    section[Object.keys(section)[0]](mod.exports as object, mod)
    cached = mod.exports as Factory
    return cached
}
