/**
 * Helpers for the board tests: a throw-away copy of the project (so builds and
 * CLI runs never touch the repository's .devicescript/ or race with other
 * tests), the board scripts run in an environment without a board, and
 * synthetic runtime images.
 */
import { spawn } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"

export { PROJECT_DIR }

const require = createRequire(import.meta.url)
export const DEVS_CLI = require.resolve("@devicescript/cli/devicescript")
const TSX_CLI = require.resolve("tsx/cli")

/** A project copy with the firmware, the given board files and .env files; no node_modules (the CLI writes its libraries there). */
export function makeProjectCopy(boardFiles: string[], envLocal = ""): string {
    const dir = mkdtempSync(join(tmpdir(), "devs-boards-"))
    for (const f of ["devsconfig.json", "package.json", ".env.defaults"]) cpSync(join(PROJECT_DIR, f), join(dir, f))
    cpSync(join(PROJECT_DIR, "firmware"), join(dir, "firmware"), { recursive: true })
    mkdirSync(join(dir, "boards"))
    for (const f of boardFiles) cpSync(join(PROJECT_DIR, "boards", f), join(dir, "boards", f))
    if (envLocal) writeFileSync(join(dir, ".env.local"), envLocal)
    return dir
}

export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true })
}

/** A loopback port nobody listens on: downloads from it fail with "connection refused", deterministically. */
export async function closedPort(): Promise<number> {
    const srv = createServer()
    await new Promise<void>(resolve => srv.listen(0, "127.0.0.1", resolve))
    const port = (srv.address() as { port: number }).port
    await new Promise(resolve => srv.close(resolve))
    return port
}

export interface ScriptRun {
    code: number | null
    stdout: string
    stderr: string
}

/**
 * Runs scripts/<name> the way `npm run` does, in an environment without a
 * board: PATH holds only node's directory (no udevadm, so no serial port can
 * be listed on Linux; no esptool), USER matches no /media/$USER drive, and
 * runtime images come from a closed port. The script runs in its own process
 * group, killed after `timeoutMs` whatever happens.
 */
export function runScript(
    cwd: string,
    name: string,
    args: string[],
    mirrorPort: number,
    timeoutMs = 45_000,
): Promise<ScriptRun> {
    const env = {
        PATH: dirname(process.execPath),
        HOME: cwd,
        USER: "devs-test-nobody",
        TMPDIR: tmpdir(),
        CI: "1",
        DEVS_RUNTIME_MIRROR: `http://127.0.0.1:${mirrorPort}`,
    }
    const child = spawn(process.execPath, [TSX_CLI, join(PROJECT_DIR, "scripts", name), ...args], {
        cwd,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s))
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s))
    const killGroup = () => {
        try {
            process.kill(-child.pid!, "SIGKILL")
        } catch {
            // already gone
        }
    }
    const timer = setTimeout(killGroup, timeoutMs)
    return new Promise(resolve =>
        child.once("close", code => {
            clearTimeout(timer)
            killGroup() // anything the script left behind in its group
            resolve({ code, stdout, stderr })
        }),
    )
}

/** What a clear failure looks like: one `error: ` message, no Node stack trace. */
export const STACK_TRACE = /^\s+at .+[(:]\d+|node:internal|^\w*Error: /m

// UF2 (https://github.com/microsoft/uf2): 512-byte blocks, 256 payload bytes each.
const UF2_MAGIC_START0 = 0x0a324655
const UF2_MAGIC_START1 = 0x9e5d5157
const UF2_MAGIC_END = 0x0ab16f30
const UF2_FLAG_FAMILY = 0x2000
const RP2040_FAMILY = 0xe48bff56
const RP2040_FLASH = 0x10000000

/** A tiny UF2 at the start of the RP2040 flash: enough for the CLI to patch a board config into it. Never flashed. */
export function fakeRp2040Uf2(blocks = 4): Buffer {
    const out = Buffer.alloc(512 * blocks)
    for (let i = 0; i < blocks; i++) {
        const b = out.subarray(512 * i)
        b.writeUInt32LE(UF2_MAGIC_START0, 0)
        b.writeUInt32LE(UF2_MAGIC_START1, 4)
        b.writeUInt32LE(UF2_FLAG_FAMILY, 8)
        b.writeUInt32LE(RP2040_FLASH + 256 * i, 12)
        b.writeUInt32LE(256, 16)
        b.writeUInt32LE(i, 20)
        b.writeUInt32LE(blocks, 24)
        b.writeUInt32LE(RP2040_FAMILY, 28)
        b.fill(0x42, 32, 32 + 256)
        b.writeUInt32LE(UF2_MAGIC_END, 508)
    }
    return out
}

/** The flash contents a UF2 describes, from its lowest address. */
export function uf2Payload(uf2: Buffer): Buffer {
    const parts: { addr: number; data: Buffer }[] = []
    for (let off = 0; off + 512 <= uf2.length; off += 512) {
        const size = uf2.readUInt32LE(off + 16)
        parts.push({ addr: uf2.readUInt32LE(off + 12), data: uf2.subarray(off + 32, off + 32 + size) })
    }
    const base = Math.min(...parts.map(p => p.addr))
    const end = Math.max(...parts.map(p => p.addr + p.data.length))
    const flat = Buffer.alloc(end - base, 0xff)
    for (const p of parts) p.data.copy(flat, p.addr - base)
    return flat
}

/** A stand-in for an ESP32 bare runtime .bin (never flashed: the tests have no board). */
export function fakeEsp32Bin(): Buffer {
    return Buffer.alloc(32 * 1024, 0x11)
}
