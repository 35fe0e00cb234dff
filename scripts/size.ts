/**
 * `npm run size`: builds the firmware and prints where its bytes go, by area (the MQTT client,
 * sensors, telemetry, time, network glue, DeviceScript packages), against the two budgets
 * (test/boards/build.test.ts): the function code must end below 64 KiB (the runtime's verifier,
 * scripts/lib/image-layout.ts) and the image must fit the smallest board's program area. Per-function
 * sizes and source positions come from the compiler's .devicescript/bin/bytecode-dbg.json.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { buildFirmware } from "../host-sim/device/build-firmware.ts"
import { PROJECT_DIR } from "../host-sim/simulation.ts"
import { CODE_END_LIMIT_BYTES, codeEnd } from "./lib/image-layout.ts"

interface Dbg {
    sources: { path: string; length: number }[]
    functions: { name: string; location?: [number, number]; size: number }[]
    sizes: Record<string, number>
}

/** The area a source file belongs to: firmware/<folder>, or the DeviceScript package. */
export function areaOf(path: string): string {
    const pkg = /node_modules\/(@devicescript\/[^/]+)\//.exec(path)
    if (pkg) return pkg[1]
    const fw = /^firmware\/([^/]+)\//.exec(path)
    if (fw) return `firmware/${fw[1]}`
    return path.startsWith("firmware/") ? "firmware (root)" : path
}

/** Code bytes (function bodies and their descriptors) per area, largest first. */
export function codeByArea(d: Dbg): [string, number][] {
    const starts: { from: number; to: number; path: string }[] = []
    let at = 0
    for (const s of d.sources) {
        starts.push({ from: at, to: at + s.length, path: s.path })
        at += s.length
    }
    const by = new Map<string, number>()
    for (const f of d.functions) {
        const pos = f.location ? f.location[0] : -1
        const src = starts.find(s => pos >= s.from && pos < s.to)
        const area = src ? areaOf(src.path) : "(compiler)"
        by.set(area, (by.get(area) ?? 0) + f.size)
    }
    return [...by.entries()].sort((a, b) => b[1] - a[1])
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const image = readFileSync(buildFirmware("firmware/main.ts", "firmware.devs"))
    const dbg = JSON.parse(readFileSync(join(PROJECT_DIR, ".devicescript", "bin", "bytecode-dbg.json"), "utf8")) as Dbg
    const end = codeEnd(image)
    console.log(
        `image ${image.length} B; function code ends at ${end} B of the ${CODE_END_LIMIT_BYTES} B the runtime allows (${CODE_END_LIMIT_BYTES - end} B left)`,
    )
    console.log(`strings ${dbg.sizes.strings ?? 0} B (not code: they do not count towards the 64 KiB)`)
    for (const [area, bytes] of codeByArea(dbg)) console.log(`${String(bytes).padStart(7)} B  ${area}`)
}
