/**
 * The Waker (firmware/net/waker.ts) on the VM: fibers suspended on it wake on notify() or their
 * timeout, and a timed-out fiber is never resumed later by a stale notify().
 */
import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { Waker } from "../../firmware/net/waker"

/** A fiber that waits on `w` (at most `ms`) and then appends `name` to `log`. */
function sleeper(w: Waker, ms: number, name: string, log: string[], started: string[]) {
    const f = async () => {
        started.push(name)
        await w.wait(ms)
        log.push(name)
    }
    f.start()
}

/** Lets other fibers run until `xs` has `n` entries, at most `turns` scheduler turns. */
async function turnsUntil(xs: string[], n: number, turns: number) {
    for (let i = 0; i < turns && xs.length < n; i++) await ds.sleep(0)
}

/** Lets other fibers run until `xs` has `n` entries (time passing: timeouts). */
async function until(xs: string[], n: number) {
    while (xs.length < n) await ds.sleep(1)
}

export function wakerSuites() {
    describe("Waker on the VM", () => {
        test("notify() wakes every waiting fiber, long before their timeout", async () => {
            const w = new Waker()
            const log: string[] = []
            const started: string[] = []
            sleeper(w, 600000, "a", log, started)
            sleeper(w, 600000, "b", log, started)
            await until(started, 2)
            expect(log.length).toBe(0)
            w.notify()
            // A second notify() with nobody waiting is harmless.
            w.notify()
            await turnsUntil(log, 2, 10)
            expect(log.join(",")).toBe("a,b")
        })
        test("wait() with no timeout waits for notify(), however long", async () => {
            const w = new Waker()
            const log: string[] = []
            const f = async () => {
                await w.wait()
                log.push("woken")
            }
            f.start()
            const ticks: string[] = []
            for (let i = 0; i < 20; i++) {
                await ds.sleep(10)
                ticks.push("t")
            }
            expect(log.length).toBe(0)
            w.notify()
            await turnsUntil(log, 1, 10)
            expect(log.join(",")).toBe("woken")
        })
        test("a wait of zero or less (a deadline already past) returns at once", async () => {
            const w = new Waker()
            const log: string[] = []
            sleeper(w, -1000, "past", log, [])
            sleeper(w, 0, "now", log, [])
            await until(log, 2)
            expect(log.join(",")).toBe("past,now")
        })
        test("wait() without notify() returns at its timeout", async () => {
            const w = new Waker()
            await w.wait(5)
            const log: string[] = []
            sleeper(w, 5, "c", log, [])
            await until(log, 1)
            expect(log[0]).toBe("c")
        })
        test("a notify() before anyone waits is not remembered (a wait after it times out)", async () => {
            const w = new Waker()
            w.notify()
            const log: string[] = []
            sleeper(w, 600000, "late", log, [])
            sleeper(w, 5, "short", log, [])
            await until(log, 1)
            expect(log.join(",")).toBe("short")
            w.notify()
            await turnsUntil(log, 2, 10)
            expect(log.join(",")).toBe("short,late")
        })
        test("a fiber that timed out is off the list: a later notify() leaves its other waits alone", async () => {
            const w = new Waker()
            const other = new Waker()
            const log: string[] = []
            const f = async () => {
                await w.wait(1)
                log.push("timed out")
                await other.wait(600000)
                log.push("other")
            }
            f.start()
            await until(log, 1)
            w.notify()
            await turnsUntil(log, 2, 10)
            expect(log.join(",")).toBe("timed out")
            other.notify()
            await turnsUntil(log, 2, 10)
            expect(log.join(",")).toBe("timed out,other")
        })
    })
}
