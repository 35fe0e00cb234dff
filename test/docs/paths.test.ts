/**
 * Every repository path the README and docs/*.md name exists, so a newcomer who follows
 * one lands on a file (issue 10: a test checks that every path the docs name exists).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, test } from "vitest"
import { missing, pathsIn, topLevelDirs } from "./doc-paths.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const DIRS = topLevelDirs(ROOT)
const PAGES = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
        .filter(f => f.endsWith(".md"))
        .map(f => `docs/${f}`),
]

describe("paths named by the docs", () => {
    for (const page of PAGES)
        test(`every repository path ${page} names exists`, () => {
            const paths = pathsIn(readFileSync(join(ROOT, page), "utf8"), join(ROOT, page), ROOT, DIRS)
            expect(missing(paths, ROOT).map(p => `${page}:${p.line}: ${p.text}`)).toEqual([])
        })

    test("the README names paths, and they are found (the check is not vacuous)", () => {
        const paths = pathsIn(readFileSync(join(ROOT, "README.md"), "utf8"), join(ROOT, "README.md"), ROOT, DIRS)
        expect(paths.map(p => p.path)).toContain("docs/secured-brokers.md")
    })

    test("a path that does not exist is reported with its page and line; URLs, placeholders, commands and trees are not paths", () => {
        const page = [
            "see `firmware/mqtt/no-such-file.ts` and [the docs](docs/gone.md)",
            "`firmware/mqtt/framer.ts`, `boards/<id>.board.json`, `npm run verify`, [x](https://example.com/a.md)",
            "```",
            "firmware/ not/a/reference.ts",
            "```",
            "`../shared/hardware-fidelity.md` `esp:boards/partitions.csv:1-6` `.devicescript/bin/bytecode.devs`",
        ].join("\n")
        const found = missing(pathsIn(page, join(ROOT, "README.md"), ROOT, DIRS), ROOT)
        expect(found.map(p => `${p.line}: ${p.text}`)).toEqual(["1: firmware/mqtt/no-such-file.ts", "1: docs/gone.md"])
    })
})
