/**
 * The embedded broker (aedes) on a free loopback port. Its in-memory
 * persistence survives `restart()`, like a broker with a persistent store:
 * sessions, subscriptions and queued QoS 1 messages come back.
 */
import { createServer, type Server, type Socket } from "node:net"
import { createServer as createTlsServer } from "node:tls"
import { Aedes } from "aedes"
import memory from "aedes-persistence"

export interface RunningBroker {
    kind: string
    url: string
    port: number
    restart(): Promise<void>
    close(): Promise<void>
}

export interface EmbeddedBroker extends RunningBroker {
    aedes: Aedes
}

export interface TlsIdentity {
    key: Buffer
    cert: Buffer
}

/** aedes on a free loopback port; with `tls`, an mqtts:// listener instead of plain TCP. */
export async function startEmbeddedBroker(port = 0, tls?: TlsIdentity): Promise<EmbeddedBroker> {
    const persistence = memory()
    let server: Server
    const sockets = new Set<Socket>()

    async function listen(p: number) {
        const aedes = await Aedes.createBroker({ persistence })
        const onSocket = (sock: Socket) => {
            sockets.add(sock)
            sock.on("close", () => sockets.delete(sock))
            aedes.handle(sock)
        }
        server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onSocket) : createServer(onSocket)
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject)
            server.listen(p, "127.0.0.1", () => resolve())
        })
        return aedes
    }

    async function close(aedes: Aedes) {
        for (const s of sockets) s.destroy()
        await new Promise<void>(resolve => server.close(() => resolve()))
        await new Promise<void>(resolve => aedes.close(() => resolve()))
    }

    const first = await listen(port)
    const actual = (server!.address() as { port: number }).port
    const b: EmbeddedBroker = {
        kind: "aedes",
        url: `${tls ? "mqtts" : "mqtt"}://127.0.0.1:${actual}`,
        port: actual,
        aedes: first,
        restart: async () => {
            await close(b.aedes)
            b.aedes = await listen(actual)
        },
        close: () => close(b.aedes),
    }
    return b
}
