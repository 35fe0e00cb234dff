import { describe, expect, test } from "vitest"
import { ledgerOf } from "../../host-sim/ledger.ts"

describe("loss ledger", () => {
    test("counts duplicates and reports gaps as ranges", () => {
        const l = ledgerOf([1, 2, 2, 3, 7, 8, 10, 3])
        expect(l).toMatchObject({ received: 8, duplicates: 2, firstSeq: 1, lastSeq: 10, missing: 4 })
        expect(l.gaps).toEqual([
            { from: 4, to: 6 },
            { from: 9, to: 9 },
        ])
    })

    test("an empty stream has no gaps", () => {
        expect(ledgerOf([])).toMatchObject({ received: 0, missing: 0, gaps: [] })
    })
})
