/**
 * A request to a helper process (device-host.ts, synthetic-host.ts) that its parent answers
 * through a list of waiters: the waiter is queued, then `send` runs; the promise resolves with
 * what the parent's message handler passes the waiter (it takes the waiter off the list), or
 * rejects with `error` after `timeoutMs`.
 */
export function awaitReply<R>(
    waiting: ((reply: R) => void)[],
    send: () => void,
    timeoutMs: number,
    error: string,
): Promise<R> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(error)), timeoutMs)
        waiting.push(r => {
            clearTimeout(timer)
            resolve(r)
        })
        send()
    })
}
