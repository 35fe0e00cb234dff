import * as ds from "@devicescript/core"
import { expect } from "@devicescript/test"

/**
 * Long synchronous runs are killed with "InfiniteLoop" on the VM, and awaiting something that
 * completes without suspending does not yield, so loops over many vectors call this.
 */
export async function yieldToVm() {
    await ds.sleep(0)
}

let checks = 0

/** expect(actual).toBe(expected), counted so the run can report how many vector checks passed. */
export function check(actual: string | number, expected: string | number) {
    checks++
    expect(actual).toBe(expected)
}

export function checkCount(): number {
    return checks
}
