/**
 * A loopback port that was free a moment ago: the OS picks it, we release it
 * and a daemon binds it next. Never a fixed port: a system broker may own 1883,
 * 4222, 5672 or 6379 on this machine.
 */
import { createServer } from "node:net"

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createServer()
        s.once("error", reject)
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port
            s.close(() => resolve(port))
        })
    })
}

/** `n` distinct free ports (two calls can return the same port once the first is released). */
export async function freePorts(n: number): Promise<number[]> {
    const ports: number[] = []
    while (ports.length < n) {
        const p = await freePort()
        if (!ports.includes(p)) ports.push(p)
    }
    return ports
}
