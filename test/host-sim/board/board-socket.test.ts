/**
 * Board sockets (host-sim/board/board-socket.ts) against loopback servers, with a fake VM module:
 * what each board's runtime reports for the same network events (sources in profiles.ts).
 */
import { EventEmitter, once } from "node:events"
import { createServer, type AddressInfo, type Server, type Socket } from "node:net"
import { createServer as createTlsServer } from "node:tls"
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import { BoardReset, BoardSocket } from "../../../host-sim/board/board-socket.ts"
import { BOARD_PROFILES, type BoardId } from "../../../host-sim/board/profiles.ts"
import { WifiLink } from "../../../host-sim/board/wifi-link.ts"
import { makeTestCa, type TestCa } from "../../support/test-ca.ts"
import { FakeSocketVm } from "../../support/fake-socket-vm.ts"

interface Rig {
    vm: FakeSocketVm
    wifi: WifiLink
    board: BoardSocket
    logs: string[]
    /** Resolves when a log line matches. */
    logged(re: RegExp): Promise<string>
}

const rigs: Rig[] = []
const servers: Server[] = []

function rig(id: BoardId, publicRoots?: string[]): Rig {
    const vm = new FakeSocketVm()
    const logs: string[] = []
    const lines = new EventEmitter()
    const log = (l: string) => {
        logs.push(l)
        lines.emit("line", l)
    }
    const logged = (re: RegExp) =>
        new Promise<string>(resolve => {
            const on = (l: string) => {
                if (!re.test(l)) return
                lines.off("line", on)
                resolve(l)
            }
            lines.on("line", on)
        })
    const profile = BOARD_PROFILES[id]
    const wifi = new WifiLink(profile.rejoinGiveUpMs, log)
    const board = new BoardSocket(vm, profile, wifi, { log, publicRoots }).install()
    const r = { vm, wifi, board, logs, logged }
    rigs.push(r)
    return r
}

/** A loopback server; `onConn` gets every accepted socket. */
async function server(onConn: (s: Socket) => void): Promise<number> {
    const srv = createServer(onConn)
    servers.push(srv)
    srv.listen(0, "127.0.0.1")
    await once(srv, "listening")
    return (srv.address() as AddressInfo).port
}

/** Resolves with the first `n` bytes a server socket receives. */
function receive(s: Socket, n: number): Promise<Buffer> {
    const parts: Buffer[] = []
    return new Promise(resolve => {
        const on = (b: Buffer) => {
            parts.push(b)
            const all = Buffer.concat(parts)
            if (all.length >= n) {
                s.off("data", on)
                resolve(all)
            }
        }
        s.on("data", on)
    })
}

afterEach(() => {
    for (const r of rigs.splice(0)) r.board.dispose()
})
afterAll(async () => {
    for (const s of servers) s.close()
})

describe.each([
    ["esp32", 1024],
    ["picow", 1460],
] as const)("%s receive chunks", (id, max) => {
    test(`a 5,000 B burst from the peer reaches the program in data events of at most ${max} B, in order`, async () => {
        const payload = Buffer.alloc(5000, 0).map((_, i) => i % 251)
        const port = await server(s => s.end(payload))
        const { vm } = rig(id)
        vm.open("127.0.0.1", port)
        await vm.waitFor("close", true)
        const data = vm.events.filter(e => e.type === "data").map(e => (e as { bytes: Buffer }).bytes)
        expect(Math.max(...data.map(d => d.length))).toBeLessThanOrEqual(max)
        expect(Buffer.concat(data)).toEqual(payload)
    })
})

describe.each([
    ["sim", 5744],
    ["esp32", 5744],
    ["picow", 11680],
] as const)("%s receive window", (id, window) => {
    test(`a 40,000 B burst reaches the program at most ${window} B per run of its loop, all of it, in order, before the close`, async () => {
        const payload = Buffer.alloc(40_000, 0).map((_, i) => i % 251)
        const port = await server(s => s.end(payload))
        const { vm } = rig(id)
        vm.open("127.0.0.1", port)
        const loop = setInterval(() => vm._jd_em_process(), 5)
        try {
            await vm.waitFor("close", true)
        } finally {
            clearInterval(loop)
        }
        expect(Math.max(...vm.perTurn)).toBeLessThanOrEqual(window)
        expect(vm.perTurn.filter(n => n > 0).length).toBeGreaterThanOrEqual(Math.ceil(40_000 / window))
        const data = vm.events.filter(e => e.type === "data").map(e => (e as { bytes: Buffer }).bytes)
        expect(Buffer.concat(data)).toEqual(payload)
    })
})

describe("peer closes and resets", () => {
    test.each([
        ["esp32", []],
        ["picow", ["recv without buf?"]],
        ["sim", []],
    ] as const)("%s: a clean close by the peer gives %j then close", async (id, errors) => {
        const port = await server(s => s.end())
        const { vm } = rig(id)
        vm.open("127.0.0.1", port)
        await vm.waitFor("close", true)
        expect(vm.raw.filter(e => e.type === "error").map(e => (e as { text: string }).text)).toEqual(errors)
        expect(vm.raw.at(-1)).toEqual({ type: "close" })
    })

    test.each([
        ["esp32", "recv error"],
        ["picow", "sock error: -14"],
    ] as const)("%s: a reset by the peer gives error '%s' then close", async (id, text) => {
        const port = await server(s => s.once("data", () => s.resetAndDestroy()))
        const { vm } = rig(id)
        vm.open("127.0.0.1", port)
        await vm.waitFor("open")
        vm.write("hello")
        expect(await vm.waitFor("error")).toEqual({ type: "error", text })
        expect(vm.raw.map(e => e.type)).toEqual(["open", "error", "close"])
    })

    test.each([
        ["esp32", "can't connect", ["error"]],
        ["picow", "sock error: -14", ["error", "close"]],
    ] as const)("%s: a refused connect gives error '%s' (events %j)", async (id, text, types) => {
        const port = await server(() => {})
        servers.pop()!.close()
        const { vm } = rig(id)
        vm.open("127.0.0.1", port)
        expect(await vm.waitFor("error")).toEqual({ type: "error", text })
        expect(vm.raw.map(e => e.type)).toEqual(types)
    })
})

describe("Pico W send limit", () => {
    test("back-to-back writes past two segments fail with ERR_MEM: the write returns -1, the program gets 'write error: -1' + close, the peer sees the end", async () => {
        let peer!: Socket
        const port = await server(s => (peer = s))
        const { vm, logs } = rig("picow")
        vm.open("127.0.0.1", port)
        await vm.waitFor("open")
        const results: number[] = []
        for (let i = 0; i < 20; i++) results.push(vm.write(Buffer.alloc(150, 1)))
        // 150 (segment 1) + 1,460 (segment 2 under Nagle) = 1,610 B: the 11th write needs a third segment.
        expect(results.slice(0, 10)).toEqual(Array(10).fill(0))
        expect(results[10]).toBe(-1)
        expect(results.slice(11)).toEqual(Array(9).fill(-10))
        expect(vm.events).toEqual([{ type: "open" }, { type: "error", text: "write error: -1" }])
        expect(vm.raw.at(-1)).toEqual({ type: "close" })
        expect(logs.join("\n")).toMatch(/ERR_MEM/)
        const got = await new Promise<number>(resolve => {
            let n = 0
            peer.on("data", b => (n += b.length)).on("end", () => resolve(n))
        })
        expect(got).toBe(1500)
    })

    test("writes paced by the peer's replies never fail", async () => {
        const port = await server(s => s.on("data", b => s.write(Buffer.alloc(4, b[0]))))
        const { vm } = rig("picow")
        vm.open("127.0.0.1", port)
        await vm.waitFor("open")
        for (let i = 0; i < 30; i++) {
            const before = vm.dataBytes()
            expect(vm.write(Buffer.alloc(1400, i))).toBe(0)
            await new Promise<void>(resolve => {
                const on = () => {
                    if (vm.dataBytes() < before + 4) return
                    vm.off("event", on)
                    resolve()
                }
                vm.on("event", on)
            })
        }
        expect(vm.events.filter(e => e.type === "error")).toEqual([])
    })

    test("no TLS: the open returns -100 and no event follows", async () => {
        const { vm, logs } = rig("picow")
        expect(vm.open("localhost", -8883)).toBe(-100)
        await new Promise(r => setImmediate(r))
        expect(vm.raw).toEqual([])
        expect(logs.join("\n")).toMatch(/no TLS on this board/)
    })
})

describe("ESP32 TLS", () => {
    let ca: TestCa
    let tlsPort: number
    beforeAll(async () => {
        ca = makeTestCa()
        const srv = createTlsServer({ key: ca.key, cert: ca.cert }, s => s.on("data", () => {}))
        srv.on("tlsClientError", () => {})
        servers.push(srv)
        srv.listen(0, "127.0.0.1")
        await once(srv, "listening")
        tlsPort = (srv.address() as AddressInfo).port
    })
    afterAll(() => ca?.remove())

    test("a server whose chain ends at a private CA is refused: error 'mbedtls_ssl_handshake' + close, never open", async () => {
        const { vm, logs } = rig("esp32")
        vm.open("localhost", -tlsPort)
        expect(await vm.waitFor("error")).toEqual({ type: "error", text: "mbedtls_ssl_handshake" })
        expect(vm.raw.map(e => e.type)).toEqual(["error", "close"])
        expect(logs.join("\n")).toMatch(/certificate/i)
    })

    test("with the CA among the board's roots, open comes after the handshake; a 4,095 B write is fine and a 4,096 B write reboots the chip", async () => {
        const { vm } = rig("esp32", [ca.cert.toString(), (await import("node:fs")).readFileSync(ca.caFile, "utf8")])
        vm.open("localhost", -tlsPort)
        await vm.waitFor("open")
        expect(vm.write(Buffer.alloc(4095))).toBe(0)
        expect(() => vm.write(Buffer.alloc(4096))).toThrow(BoardReset)
    })
})

describe("Wi-Fi", () => {
    test("while the access point is away opens throw 'network not available'; afterwards they work", async () => {
        const port = await server(() => {})
        const { vm, wifi } = rig("esp32")
        wifi.setAccessPoint(false)
        expect(() => vm.open("127.0.0.1", port)).toThrow("network not available")
        wifi.setAccessPoint(true)
        vm.open("127.0.0.1", port)
        await vm.waitFor("open")
    })

    test.each(["esp32", "picow"] as const)(
        "%s: an open socket goes silent during the outage (no RST, no close) and resumes after it",
        async id => {
            let peer!: Socket
            const connected = new Promise<void>(resolve => {
                void server(s => {
                    peer = s
                    resolve()
                }).then(p => vm.open("127.0.0.1", p))
            })
            const { vm, wifi, logged } = rig(id)
            await connected
            await vm.waitFor("open")
            wifi.setAccessPoint(false)
            let linkedOnArrival: boolean | undefined
            const arrived = receive(peer, 3).then(b => ((linkedOnArrival = wifi.linked), b))
            expect(vm.write("abc")).toBe(0)
            const held = logged(/is held until it is back/)
            peer.write("xyz")
            await held
            expect(vm.events.map(e => e.type)).toEqual(["open"])
            wifi.setAccessPoint(true)
            expect((await arrived).toString()).toBe("abc")
            expect(linkedOnArrival).toBe(true)
            await vm.waitFor("data")
            expect(vm.events).toEqual([{ type: "open" }, { type: "data", bytes: Buffer.from("xyz") }])
        },
    )

    test("ESP32: writes pile up in the socket task's queue while the link is down; the 51st returns -1", async () => {
        const port = await server(() => {})
        const { vm, wifi } = rig("esp32")
        vm.open("127.0.0.1", port)
        await vm.waitFor("open")
        wifi.setAccessPoint(false)
        const results = Array.from({ length: 51 }, () => vm.write("x"))
        expect(results.slice(0, 50)).toEqual(Array(50).fill(0))
        expect(results[50]).toBe(-1)
        expect(vm.events.map(e => e.type)).toEqual(["open"])
    })

    test("Pico W: with no ACKs during the outage, the send buffer fills and the runtime closes the socket", async () => {
        const port = await server(() => {})
        const { vm, wifi } = rig("picow")
        vm.open("127.0.0.1", port)
        await vm.waitFor("open")
        wifi.setAccessPoint(false)
        const results = Array.from({ length: 40 }, () => vm.write(Buffer.alloc(100)))
        expect(results).toContain(-1)
        expect(vm.events).toEqual([{ type: "open" }, { type: "error", text: "write error: -1" }])
    })
})
