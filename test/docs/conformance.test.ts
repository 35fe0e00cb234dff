/**
 * docs/conformance.md lists every requirement id the tests cite, says what it means, and
 * names the test files that cite it, as the sources say today (issue 10: a newcomer can
 * look an id up).
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, test } from "vitest"
import { citations, ID_PATTERN, renderConformance, REQUIREMENTS } from "../../scripts/lib/requirements.ts"

const ROOT = resolve(import.meta.dirname, "../..")
const PAGE = readFileSync(join(ROOT, "docs/conformance.md"), "utf8")
/** The ids in the first column of the page's tables. */
const LISTED = new Set([...PAGE.matchAll(/^\| ((?:C|S)\d+) \|/gm)].map(m => m[1]))

describe("the conformance table", () => {
    test("every requirement id a test cites has a row", () => {
        const cited = [...citations(ROOT, ["test"]).keys()].sort()
        expect(cited.length).toBeGreaterThan(50)
        expect(cited.filter(id => !LISTED.has(id))).toEqual([])
    })

    test("every id the firmware and the simulator cite has a row", () => {
        expect([...citations(ROOT, ["firmware", "host-sim"]).keys()].filter(id => !LISTED.has(id))).toEqual([])
    })

    test("each id has one row and a meaning", () => {
        const ids = REQUIREMENTS.map(q => q.id)
        expect(new Set(ids).size).toBe(ids.length)
        for (const q of REQUIREMENTS) expect(q.meaning.length, q.id).toBeGreaterThan(20)
    })

    test("the page is what `npm run conformance` writes from today's sources", () => {
        expect(PAGE === renderConformance(ROOT), "docs/conformance.md is stale: run `npm run conformance`").toBe(true)
    })

    test("ids are found as the sources write them, and a chip name is not an id", () => {
        const found = [..."C07 S3: (C82, S5) ESP32-S3 C3 28 S10".matchAll(ID_PATTERN)].map(m => m[1])
        expect(found).toEqual(["C07", "S3", "C82", "S5", "S10"])
    })
})
