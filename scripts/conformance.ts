/**
 * Writes docs/conformance.md from the requirement table and the ids the sources cite
 * (scripts/lib/requirements.ts). Run after adding a test that cites an id.
 */
import { writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { renderConformance } from "./lib/requirements.ts"

const root = resolve(import.meta.dirname, "..")
writeFileSync(join(root, "docs/conformance.md"), renderConformance(root))
console.log("wrote docs/conformance.md")
