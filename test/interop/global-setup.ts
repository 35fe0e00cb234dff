/**
 * Interop run: clears the report parts before any file runs; afterwards
 * merges them into bench/interop.json and bench/interop.md and prints them.
 */
import { rmSync } from "node:fs"
import { resetParts, writeReport } from "./report.ts"
import { LOG_DIR } from "./rig.ts"

export default function setup() {
    const startedAt = Date.now()
    resetParts()
    rmSync(LOG_DIR, { recursive: true, force: true })
    return () => {
        const md = writeReport(startedAt)
        process.stdout.write("\n" + md + "\nwritten to bench/interop.md and bench/interop.json\n")
    }
}
