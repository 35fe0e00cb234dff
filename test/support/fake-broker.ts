/**
 * A scripted MQTT broker on a loopback port (the checklist's "FB" method, in
 * the model of mosquitto's client-library tests): it parses what the client
 * sends with mqtt-packet, records it with the raw bytes, and answers as the
 * test's script says — including bytes no real broker would send.
 */
import { EventEmitter } from "node:events"
import { createServer, type Server, type Socket } from "node:net"
import mqttPacket from "mqtt-packet"

export type Packet = mqttPacket.Packet

export class BrokerConn extends EventEmitter {
    readonly received: Packet[] = []
    closed = false
    private readonly parser = mqttPacket.parser({ protocolVersion: 4 })

    constructor(
        readonly index: number,
        readonly socket: Socket,
    ) {
        super()
        this.parser.on("packet", (p: Packet) => {
            this.received.push(p)
            this.emit("packet", p)
        })
        this.parser.on("error", (e: Error) => this.emit("parse-error", e))
        socket.on("data", d => {
            this.emit("bytes", d)
            this.parser.parse(d)
        })
        socket.on("close", () => {
            this.closed = true
            this.emit("close")
        })
        socket.on("error", () => {})
    }

    send(p: Packet | Buffer) {
        if (!this.closed) this.socket.write(Buffer.isBuffer(p) ? p : mqttPacket.generate(p))
    }

    /** Resolves when the client closes this connection (or it is closed). */
    whenClosed(): Promise<void> {
        return this.closed ? Promise.resolve() : new Promise(resolve => this.once("close", () => resolve()))
    }

    ofType(cmd: string): Packet[] {
        return this.received.filter(p => p.cmd === cmd)
    }
}

export interface Script {
    /** CONNACK return code, or -1 to withhold CONNACK. */
    connackRc: number
    sessionPresent: boolean
    puback: boolean
    pingresp: boolean
}

export const WELL_BEHAVED: Script = { connackRc: 0, sessionPresent: false, puback: true, pingresp: true }

export class ScriptedBroker extends EventEmitter {
    readonly conns: BrokerConn[] = []
    script: Script = { ...WELL_BEHAVED }
    /** Called for every packet before the default answer; return true to suppress the default. */
    hook: (p: Packet, c: BrokerConn) => boolean = () => false
    port = 0
    private server?: Server

    async start(): Promise<void> {
        this.server = createServer(sock => {
            const c = new BrokerConn(this.conns.length, sock)
            this.conns.push(c)
            c.on("packet", (p: Packet) => {
                if (!this.hook(p, c)) this.answer(p, c)
            })
            this.emit("connection", c)
        })
        await new Promise<void>(resolve => this.server!.listen(0, "127.0.0.1", () => resolve()))
        this.port = (this.server.address() as { port: number }).port
    }

    /** Resolves with connection number `n` (0-based) once it exists. */
    connection(n: number): Promise<BrokerConn> {
        if (this.conns[n]) return Promise.resolve(this.conns[n])
        return new Promise(resolve => {
            const on = (c: BrokerConn) => {
                if (c.index !== n) return
                this.off("connection", on)
                resolve(c)
            }
            this.on("connection", on)
        })
    }

    /** Resolves with the first packet on connection `c` matching `pred` (already received or future). */
    packet(c: BrokerConn, pred: (p: Packet) => boolean): Promise<Packet> {
        const found = c.received.find(pred)
        if (found) return Promise.resolve(found)
        return new Promise(resolve => {
            const on = (p: Packet) => {
                if (!pred(p)) return
                c.off("packet", on)
                resolve(p)
            }
            c.on("packet", on)
        })
    }

    private answer(p: Packet, c: BrokerConn) {
        const s = this.script
        if (p.cmd === "connect" && s.connackRc >= 0)
            c.send({ cmd: "connack", returnCode: s.connackRc, sessionPresent: s.sessionPresent })
        else if (p.cmd === "publish" && p.qos === 1 && s.puback) c.send({ cmd: "puback", messageId: p.messageId })
        else if (p.cmd === "pingreq" && s.pingresp) c.send({ cmd: "pingresp" })
        else if (p.cmd === "subscribe")
            c.send({ cmd: "suback", messageId: p.messageId, granted: p.subscriptions.map(x => x.qos) })
        else if (p.cmd === "disconnect") c.socket.end()
    }

    async stop(): Promise<void> {
        for (const c of this.conns) c.socket.destroy()
        await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()))
    }
}
