/**
 * docs/sensors.md's chip table says what the firmware's one chip list (sensor-spec.ts CHIPS)
 * and one quantity table (telemetry/quantities.ts) say: the same chips, names, addresses,
 * quantities and units. Derive, don't copy: the page is checked against the code.
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, test } from "vitest"
import { CHIPS } from "../../firmware/sensors/sensor-spec.ts"
import { quantity } from "../../firmware/telemetry/quantities.ts"
import { hexByte } from "../../firmware/sensors/sensor-error.ts"

const PAGE = readFileSync(join(resolve(import.meta.dirname, "../.."), "docs/sensors.md"), "utf8")

interface Row {
    names: string[]
    quantities: string[]
    addresses: string[]
}

/** The rows of the table whose header starts with "chip (`SENSORS` name)". */
function chipRows(): Row[] {
    const lines = PAGE.split("\n")
    const start = lines.findIndex(l => l.startsWith("| chip (`SENSORS` name)"))
    const rows: Row[] = []
    for (const line of lines.slice(start + 2)) {
        if (!line.startsWith("|")) break
        const cells = line
            .split("|")
            .slice(1, -1)
            .map(c => c.trim())
        rows.push({
            names: [...cells[0].matchAll(/`([^`]+)`/g)].map(m => m[1]),
            quantities: cells[1].split(",").map(q => q.trim()),
            addresses: cells[2].startsWith("0x") ? cells[2].split(",").map(a => a.trim().toLowerCase()) : [],
        })
    }
    return rows
}

describe("docs/sensors.md", () => {
    const rows = chipRows()

    test("lists every chip of CHIPS once, and nothing else", () => {
        expect(rows.map(r => r.names[0]).sort()).toEqual(CHIPS.map(c => c.chip).sort())
    })

    for (const c of CHIPS)
        test(`${c.chip}: names, addresses (default first), quantities and units as in the code`, () => {
            const row = rows.find(r => r.names[0] === c.chip)!
            expect(row.names.slice(1).sort()).toEqual([...c.aliases].sort())
            expect(row.addresses).toEqual(c.addresses.map(hexByte))
            const documented = row.quantities.map(q => q.split(" "))
            expect(documented.map(([key]) => key).sort()).toEqual([...c.quantities].sort())
            for (const [key, unit] of documented) expect(unit, key).toBe(quantity(key)?.unit)
        })
})
