/**
 * The fault-injection proxy on its own, between a raw TCP "broker" and a raw client.
 */
import { connect, createServer, type Server, type Socket } from "node:net"
import { afterEach, beforeEach, expect, test } from "vitest"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { within } from "../../host-sim/cli/within.ts"

let server: Server
let upstream: Promise<Socket>
let proxy: ChaosProxy

beforeEach(async () => {
    let resolve!: (s: Socket) => void
    upstream = new Promise(r => (resolve = r))
    server = createServer(s => {
        s.on("error", () => {})
        resolve(s)
    })
    await new Promise<void>(r => server.listen(0, "127.0.0.1", () => r()))
    proxy = new ChaosProxy("127.0.0.1", (server.address() as { port: number }).port)
    await proxy.start()
})
afterEach(async () => {
    await proxy.stop()
    await new Promise(r => server.close(r))
})

function client(): Promise<Socket> {
    return new Promise(resolve => {
        const c = connect(proxy.port, "127.0.0.1", () => resolve(c))
        c.on("error", () => {})
    })
}

function chunks(s: Socket, bytes: number): Promise<Buffer[]> {
    const got: Buffer[] = []
    let n = 0
    return new Promise(resolve =>
        s.on("data", d => {
            got.push(d)
            n += d.length
            if (n >= bytes) resolve(got)
        }),
    )
}

const PUBACK = Buffer.from([0x40, 0x02, 0x00, 0x01])
const PINGRESP = Buffer.from([0xd0, 0x00])

test("passes MQTT frames through unchanged", async () => {
    const c = await client()
    const b = await upstream
    const got = chunks(c, 6)
    b.write(Buffer.concat([PUBACK, PINGRESP]))
    expect(Buffer.concat(await within(got, 2000, "bytes"))).toEqual(Buffer.concat([PUBACK, PINGRESP]))
    c.destroy()
})

test("dropNext drops exactly the next packet of that type, frame-aligned", async () => {
    proxy.dropNext = [4]
    const c = await client()
    const b = await upstream
    const got = chunks(c, 6)
    b.write(Buffer.concat([PUBACK, PINGRESP, PUBACK]))
    expect(Buffer.concat(await within(got, 2000, "bytes"))).toEqual(Buffer.concat([PINGRESP, PUBACK]))
    c.destroy()
})

test("sliceBytes delivers downstream bytes in pieces no larger than the slice", async () => {
    proxy.sliceBytes = 1
    const c = await client()
    c.setNoDelay(true)
    const b = await upstream
    const got = chunks(c, 4)
    b.write(PUBACK)
    const parts = await within(got, 2000, "bytes")
    expect(Buffer.concat(parts)).toEqual(PUBACK)
})

test("refuse resets new connections; reset aborts live ones", async () => {
    const c = await client()
    await upstream
    const closed = new Promise(r => c.once("close", r))
    proxy.reset()
    await within(closed, 2000, "reset")
    proxy.refuse = true
    const c2 = connect(proxy.port, "127.0.0.1")
    c2.on("error", () => {})
    await within(new Promise(r => c2.once("close", r)), 2000, "refused")
})

test("a 'both' black hole passes nothing and keeps the client's socket open when the broker closes", async () => {
    proxy.blackhole = "both"
    const c = await client()
    const b = await upstream
    let received = 0
    c.on("data", d => (received += d.length))
    b.write(PUBACK)
    const brokerClosed = new Promise(r => b.once("close", r))
    b.destroy()
    await brokerClosed
    await new Promise(r => setImmediate(r))
    expect(received).toBe(0)
    expect(c.destroyed).toBe(false)
    c.destroy()
})

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00])
const PUBLISH = Buffer.from([0x30, 0x05, 0x00, 0x01, 0x61, 0x62, 0x63])

test("sliceRandomMax cuts the stream into pieces of 1..N bytes across packet boundaries, bytes unchanged", async () => {
    proxy.seed(7)
    proxy.sliceRandomMax = 5
    const c = await client()
    c.setNoDelay(true)
    const b = await upstream
    const sent = Buffer.concat([PUBLISH, PUBACK, PINGRESP, PUBLISH, PUBACK])
    const cuts: [number, number][] = []
    proxy.on("slice", (o: number, n: number) => cuts.push([o, n]))
    const got = chunks(c, sent.length)
    b.write(sent)
    const parts = await within(got, 2000, "bytes")
    expect(Buffer.concat(parts)).toEqual(sent)
    // Loopback TCP may merge the pieces again, so check the cuts the proxy made.
    expect(cuts.reduce((n, [, len]) => n + len, 0)).toBe(sent.length)
    for (const [, len] of cuts) expect(len).toBeGreaterThanOrEqual(1)
    for (const [, len] of cuts) expect(len).toBeLessThanOrEqual(5)
    const boundaries = [7, 11, 13, 20]
    expect(cuts.some(([o, len]) => boundaries.some(x => o < x && x < o + len))).toBe(true)
})

test("latency with jitter delays every chunk but never reorders them", async () => {
    proxy.seed(3)
    proxy.latencyMs = 60
    proxy.jitterMs = 50
    const c = await client()
    const b = await upstream
    const frames = Array.from({ length: 20 }, (_, i) => Buffer.from([0x40, 0x02, 0x00, i + 1]))
    const got = chunks(c, 80)
    const t0 = Date.now()
    for (const f of frames) b.write(f)
    const all = Buffer.concat(await within(got, 3000, "bytes"))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10)
    expect(all).toEqual(Buffer.concat(frames))
    // Upstream too: the device's bytes reach the broker late, in order.
    const up = chunks(b, 8)
    const t1 = Date.now()
    c.write(Buffer.concat([PUBACK, PUBACK]))
    await within(up, 3000, "upstream bytes")
    expect(Date.now() - t1).toBeGreaterThanOrEqual(10)
})

test("bandwidthBps limits the byte rate of a direction", async () => {
    proxy.bandwidthBps = 1000
    const c = await client()
    const b = await upstream
    const big = Buffer.concat([Buffer.from([0x30, 0xc8, 0x01, 0x00, 0x01, 0x61]), Buffer.alloc(197, 0x78)])
    const got = chunks(c, big.length * 2)
    const t0 = Date.now()
    b.write(Buffer.concat([big, big]))
    await within(got, 3000, "bytes")
    // 406 bytes at 1000 B/s take about 400 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350)
})

test("holdTypes holds packets of a type until releaseHeld, then delivers them in order", async () => {
    proxy.holdTypes = [4]
    const c = await client()
    const b = await upstream
    const received: Buffer[] = []
    c.on("data", d => received.push(d))
    const p2 = Buffer.from([0x40, 0x02, 0x00, 0x02])
    b.write(Buffer.concat([PUBACK, PINGRESP, p2]))
    await within(new Promise(r => proxy.once("held", r)), 2000, "held")
    await new Promise(r => setTimeout(r, 50))
    expect(Buffer.concat(received)).toEqual(PINGRESP)
    proxy.releaseHeld()
    await new Promise(r => setTimeout(r, 50))
    expect(Buffer.concat(received)).toEqual(Buffer.concat([PINGRESP, PUBACK, p2]))
    c.destroy()
})

test("connackRc rewrites the CONNACK return code", async () => {
    proxy.connackRc = 3
    const c = await client()
    const b = await upstream
    const got = chunks(c, 4)
    b.write(CONNACK)
    expect(Buffer.concat(await within(got, 2000, "bytes"))).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x03]))
    c.destroy()
})

test("setListening(false) refuses new connections at the OS level and true listens again on the same port", async () => {
    const live = await client()
    await upstream
    await proxy.setListening(false)
    const err = await new Promise<string>(resolve => {
        const s = connect(proxy.port, "127.0.0.1")
        s.on("error", e => resolve((e as NodeJS.ErrnoException).code ?? ""))
        s.on("connect", () => resolve("connected"))
    })
    expect(err).toBe("ECONNREFUSED")
    expect(live.destroyed).toBe(false)
    live.destroy()
    await proxy.setListening(true)
    const again = await within(client(), 2000, "connect after listening again")
    expect(proxy.connectionTimes.length).toBe(2)
    again.destroy()
})

/** How a socket's peer ended it: "reset" (an error, ECONNRESET) or "end" (a FIN, no error), and the bytes before. */
function ending(s: Socket): Promise<{ how: string; code: string; bytes: Buffer }> {
    const got: Buffer[] = []
    let code = ""
    let ended = false
    s.on("data", d => got.push(d))
    s.on("error", e => (code = (e as NodeJS.ErrnoException).code ?? "error"))
    s.on("end", () => (ended = true))
    return new Promise(resolve =>
        s.once("close", () =>
            resolve({ how: code ? "reset" : ended ? "end" : "close", code, bytes: Buffer.concat(got) }),
        ),
    )
}

test("a reset by the broker reaches the client as a reset (ECONNRESET), not a clean close (issue 23)", async () => {
    const c = await client()
    const b = await upstream
    const seen = ending(c)
    b.resetAndDestroy()
    expect(await within(seen, 2000, "the client's close")).toMatchObject({ how: "reset", code: "ECONNRESET" })
})

test("a clean close by the broker reaches the client as a FIN, after the bytes sent before it", async () => {
    proxy.latencyMs = 50
    const c = await client()
    const b = await upstream
    const seen = ending(c)
    // The client closes its half when it reads the FIN (allowHalfOpen off), as the VM does.
    b.end(PUBACK)
    const r = await within(seen, 2000, "the client's close")
    expect(r).toMatchObject({ how: "end", code: "" })
    expect(r.bytes).toEqual(PUBACK)
})

test("a reset by the client reaches the broker as a reset, a clean close as a FIN", async () => {
    const c1 = await client()
    const b1 = await upstream
    const reset = ending(b1)
    c1.resetAndDestroy()
    expect(await within(reset, 2000, "the broker's close")).toMatchObject({ how: "reset", code: "ECONNRESET" })

    let resolve!: (s: Socket) => void
    upstream = new Promise(r => (resolve = r))
    server.removeAllListeners("connection")
    server.on("connection", s => resolve(s))
    const c2 = await client()
    const b2 = await upstream
    const fin = ending(b2)
    c2.end(PINGRESP)
    const r = await within(fin, 2000, "the broker's close")
    expect(r).toMatchObject({ how: "end", code: "" })
    expect(r.bytes).toEqual(PINGRESP)
})

test("a broker that refuses the proxy's connection is a reset for the client", async () => {
    const port = (server.address() as { port: number }).port
    await new Promise(r => server.close(r))
    server = createServer()
    const dead = new ChaosProxy("127.0.0.1", port)
    await dead.start()
    try {
        const c = connect(dead.port, "127.0.0.1")
        const seen = ending(c)
        expect(await within(seen, 2000, "the client's close")).toMatchObject({ how: "reset", code: "ECONNRESET" })
    } finally {
        await dead.stop()
    }
})
