/**
 * Compiles a DeviceScript entry point and keeps its bytecode under its own
 * name: `devs build` always writes .devicescript/bin/bytecode.devs (its
 * --out-dir flag takes no value in CLI 2.16.4), so builds must not overlap.
 */
import { spawnSync } from "node:child_process"
import { copyFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { PROJECT_DIR } from "../simulation.ts"

const DEVS = createRequire(import.meta.url).resolve("@devicescript/cli/devicescript")

export function buildFirmware(entry: string, outName: string): string {
    const r = spawnSync(process.execPath, [DEVS, "build", entry, "--quiet"], { cwd: PROJECT_DIR, encoding: "utf8" })
    if (r.status !== 0) throw new Error(`devs build ${entry} failed:\n${r.stdout}${r.stderr}`)
    const out = join(PROJECT_DIR, ".devicescript", outName)
    copyFileSync(join(PROJECT_DIR, ".devicescript", "bin", "bytecode.devs"), out)
    return out
}
