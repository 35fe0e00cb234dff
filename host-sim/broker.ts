/**
 * The embedded broker (aedes) on a free loopback port.
 */
import { createServer, type Server, type Socket } from "node:net"
import { Aedes } from "aedes"

export interface RunningBroker {
    url: string
    port: number
    aedes: Aedes
    close(): Promise<void>
}

export async function startEmbeddedBroker(port = 0): Promise<RunningBroker> {
    const aedes = await Aedes.createBroker()
    const sockets = new Set<Socket>()
    const server: Server = createServer(sock => {
        sockets.add(sock)
        sock.on("close", () => sockets.delete(sock))
        aedes.handle(sock)
    })
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject)
        server.listen(port, "127.0.0.1", () => resolve())
    })
    const actual = (server.address() as { port: number }).port
    return {
        url: `mqtt://127.0.0.1:${actual}`,
        port: actual,
        aedes,
        close: async () => {
            for (const s of sockets) s.destroy()
            await new Promise<void>(resolve => server.close(() => resolve()))
            await new Promise<void>(resolve => aedes.close(() => resolve()))
        },
    }
}
