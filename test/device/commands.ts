import { describe, test } from "@devicescript/test"
import { parseDecimal } from "../../firmware/decimal"
import { parsePeriodCommand } from "../../firmware/telemetry/downlink"
import { DECIMAL_VECTORS, PERIOD_VECTORS } from "../vectors/command-vectors"
import { check, yieldToVm } from "./util"

export function commandSuites() {
    describe("downlink commands on the VM (issue 22: the same answers as in Node)", () => {
        test("period_ms vectors", async () => {
            for (let i = 0; i < PERIOD_VECTORS.length; i++) {
                const v = PERIOD_VECTORS[i]
                const r = parsePeriodCommand(v.text)
                check(`${i}: ${r.ok} ${r.periodMs}`, `${i}: ${v.ok} ${v.periodMs}`)
                await yieldToVm()
            }
        })
        test("parseDecimal vectors", () => {
            for (let i = 0; i < DECIMAL_VECTORS.length; i++) {
                const v = DECIMAL_VECTORS[i]
                check(`${i}: ${parseDecimal(v.text, 15)}`, `${i}: ${v.value}`)
            }
        })
    })
}
