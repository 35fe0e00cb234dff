/**
 * The fault-injection proxy on its own, between a raw TCP "broker" and a raw client.
 */
import { connect, createServer, type Server, type Socket } from "node:net"
import { afterEach, beforeEach, expect, test } from "vitest"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { within } from "../support/timeout.ts"

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
        })
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
