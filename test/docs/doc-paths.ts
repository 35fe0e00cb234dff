/**
 * The repository paths a Markdown page names: `code spans` and link targets that look
 * like a path inside this repository. Fenced code blocks are commands and trees, not
 * references, so they are skipped; so are URLs, placeholders (`boards/<id>.board.json`)
 * and references into other trees (`../shared/...`, `esp:boards/...`).
 */
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join, normalize, relative } from "node:path"

/** Build and run outputs: named in the docs, absent from a fresh clone. */
export const GENERATED_PREFIXES = [".devicescript/", "node_modules/", "bench/tmp/"]

export interface DocPath {
    /** As written. */
    text: string
    /** Relative to the repository root. */
    path: string
    line: number
}

const PATHLIKE = /^\.?[\w@.-]+(\/[\w@.-]+)*\/?$/

/** Top-level directories of the repository: a code span counts as a path only under one of them. */
export function topLevelDirs(root: string): Set<string> {
    const out = new Set<string>()
    for (const name of readdirSync(root)) {
        if (name === ".git" || name === "node_modules" || name === ".devicescript") continue
        if (statSync(join(root, name)).isDirectory()) out.add(name)
    }
    return out
}

export function pathsIn(markdown: string, file: string, root: string, dirs: Set<string>): DocPath[] {
    const out: DocPath[] = []
    const fileDir = dirname(relative(root, file))
    let fenced = false
    markdown.split("\n").forEach((line, i) => {
        if (line.trimStart().startsWith("```")) {
            fenced = !fenced
            return
        }
        if (fenced) return
        for (const m of line.matchAll(/`([^`]+)`/g)) {
            const t = m[1].trim()
            if (!PATHLIKE.test(t) || !t.includes("/")) continue
            if (!dirs.has(t.split("/")[0]) && !GENERATED_PREFIXES.some(p => t.startsWith(p))) continue
            out.push({ text: t, path: normalize(t), line: i + 1 })
        }
        for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
            const target = m[1].split("#")[0]
            if (target === "" || /^[a-z]+:/i.test(target)) continue
            out.push({ text: m[1], path: normalize(join(fileDir, target)), line: i + 1 })
        }
    })
    return out.filter(p => !GENERATED_PREFIXES.some(g => p.path.startsWith(g)) && !p.path.startsWith(".."))
}

export function missing(paths: DocPath[], root: string): DocPath[] {
    return paths.filter(p => !existsSync(join(root, p.path)))
}
