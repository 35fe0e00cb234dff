/**
 * A request to a helper process (device-host.ts, synthetic-host.ts) that its parent answers
 * through a list of waiters: the waiter is queued, then `send` runs; the promise resolves with
 * what the parent's message handler passes the waiter (it takes the waiter off the list), or
 * rejects with `error` after `timeoutMs`, taking its waiter off the list itself: a reply that comes
 * later goes to the next request's waiter, not to one nobody awaits (a parent that pairs replies
 * with waiters in order, as synthetic-fleet.ts does, would otherwise be one behind for good).
 */
export function awaitReply<R>(
    waiting: ((reply: R) => void)[],
    send: () => void,
    timeoutMs: number,
    error: string,
): Promise<R> {
    return new Promise((resolve, reject) => {
        const waiter = (r: R) => {
            clearTimeout(timer)
            resolve(r)
        }
        const timer = setTimeout(() => {
            const i = waiting.indexOf(waiter)
            if (i >= 0) waiting.splice(i, 1)
            reject(new Error(error))
        }, timeoutMs)
        waiting.push(waiter)
        send()
    })
}
