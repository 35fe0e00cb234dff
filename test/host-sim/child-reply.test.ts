import { afterEach, describe, expect, test, vi } from "vitest"
import { awaitReply } from "../../host-sim/device/child-reply.ts"

describe("awaitReply (a request to a helper process)", () => {
    afterEach(() => vi.useRealTimers())

    test("resolves with what the parent passes the waiter", async () => {
        const waiting: ((r: string) => void)[] = []
        const reply = awaitReply(waiting, () => waiting.shift()?.("pong"), 1000, "no answer")
        await expect(reply).resolves.toBe("pong")
        expect(waiting).toHaveLength(0)
    })

    test("a timed-out request takes its waiter off the list, so the next request gets the next reply", async () => {
        vi.useFakeTimers()
        const waiting: ((r: string) => void)[] = []
        const first = awaitReply(waiting, () => {}, 1000, "no answer")
        const failed = expect(first).rejects.toThrow("no answer")
        vi.advanceTimersByTime(1000)
        await failed
        expect(waiting).toHaveLength(0)
        const second = awaitReply(waiting, () => {}, 1000, "no answer")
        waiting.shift()?.("reply to the second")
        await expect(second).resolves.toBe("reply to the second")
    })
})
