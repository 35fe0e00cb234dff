/**
 * On-VM run of the shared codec vectors (test/vectors): the same checks as the vitest suite in
 * test/mqtt, against DeviceScript's own Buffer and strings; and the fiber Waker (firmware/net/waker.ts).
 * Run with: devs run test/device/main.ts --test --test-self-exit
 * (without --test-self-exit no test runs and the command still exits 0).
 */
import { describe, expect, test } from "@devicescript/test"
import { arithSuites } from "./arith"
import { bytesSuites } from "./bytes"
import { codecSuites } from "./codec"
import { commandSuites } from "./commands"
import { framingSuites } from "./framing"
import { textSuites } from "./text"
import { checkCount } from "./util"
import { wakerSuites } from "./waker"

textSuites()
codecSuites()
framingSuites()
bytesSuites()
wakerSuites()
commandSuites()
arithSuites()

describe("summary", () => {
    test("vector checks ran", () => {
        console.log(`vector checks run: ${checkCount()}`)
        expect(checkCount() > 300).toBe(true)
    })
})
