/**
 * The VM's socket, as a board's runtime implements it. Replaces the four hooks the WASM glue calls
 * at call time (`Module.sockOpen/sockWrite/sockClose/sockIsAvailable`, CLI bundle
 * `_jd_tcpsock_new` … `_jd_tcpsock_is_available`) and reports events the way the glue does, through
 * `Module._jd_em_tcpsock_on_event(type, ptr, len)`. What differs per board comes from the profile:
 * receive chunk size, TLS (public roots only, or none), when `open` fires, the events for a peer
 * close, a reset and a failed connect, the ESP32 write queue and TLS write limit, the Pico W send
 * window, and Wi-Fi: opens throw while the link is down, and an open socket goes silent (nothing is
 * delivered either way, nothing is closed) until it is back.
 *
 * Events the board sends after an error (`error` then `close`) are sent here too: the runtime has
 * already dropped its hook by then (impl_socket.c), exactly as on the board.
 */
import { isIP, createConnection, type Socket } from "node:net"
import { connect as tlsConnect, rootCertificates } from "node:tls"
import type { BoardProfile } from "./profiles.ts"
import { SendWindow } from "./send-window.ts"
import type { WifiLink } from "./wifi-link.ts"

/** The part of the Emscripten module this file touches. */
export interface SocketVm {
    HEAPU8: Uint8Array
    _malloc(size: number): number
    _free(ptr: number): void
    _jd_em_tcpsock_on_event(type: number, ptr: number, len: number): void
    sockOpen(hostPtr: number, port: number): number
    sockWrite(ptr: number, len: number): number
    sockClose(): number
    sockIsAvailable(): boolean
    /** One run of the runtime's loop (the glue's timer calls it through the module property). */
    _jd_em_process(): number
}

// jd_conn_ev_t, as the glue numbers them
const EV_OPEN = 1
const EV_CLOSE = 2
const EV_ERROR = 3
const EV_DATA = 4
/** A socket call with no socket (the glue's value; ESP32 `!sock_fd` and Pico W `!connected` give the same). */
const ERR_NO_SOCKET = -10
/** lwIP ERR_MEM, what tcp_write returns when no segment pbuf can be allocated. */
const ERR_MEM = -1
/** ESP32: xQueueSend on a full queue (esp:main/sock.c:318-323). */
const ERR_QUEUE_FULL = -1
/** Pico W: a port outside 1..65535, i.e. a negative (TLS) port (pico:src/lwip_sock.c:141-142). */
const ERR_BAD_PORT = -100

/** Thrown out of the VM's call to stop it the way a chip reset does; see vm-device.ts (`reset`). */
export class BoardReset extends Error {
    override name = "BoardReset"
    constructor(readonly why: string) {
        super(why)
    }
}

interface Conn {
    sock: Socket
    name: string
    tls: boolean
    open: boolean
    /** Writes accepted while the link was down, sent when it is back (TCP retransmits them). */
    held: Buffer[]
    /** ESP32: writes handed over and not yet flushed to the kernel. */
    queued: number
    window?: SendWindow
    /** Events that happened while the link was down, delivered when it is back. */
    deferred: (() => void)[]
    /** Received and not yet handed to the VM: more than one receive window (profile.rxWindowBytes). */
    rx: Buffer[]
    /** A close or error that came while `rx` was not empty: reported after its data, as a board reads it. */
    afterRx: (() => void)[]
}

export interface BoardSocketHooks {
    log: (line: string) => void
    /** The roots a "public-roots" board trusts; default Node's bundled Mozilla roots. Tests pass their own CA to reach an open TLS socket. */
    publicRoots?: string[]
}

export class BoardSocket {
    private cur: Conn | null = null
    /** Every socket this VM opened that may still be open: ended on dispose(). */
    private readonly live = new Set<Socket>()
    private readonly onLink = (up: boolean) => this.linkChanged(up)

    constructor(
        private readonly vm: SocketVm,
        private readonly profile: BoardProfile,
        private readonly wifi: WifiLink,
        private readonly hooks: BoardSocketHooks,
        private readonly now: () => number = Date.now,
    ) {}

    install(): this {
        // After each run of the VM's loop the next receive window goes in (see pump).
        const tick = this.vm._jd_em_process.bind(this.vm)
        this.vm._jd_em_process = () => {
            const us = tick()
            if (this.cur && this.cur.rx.length > 0) this.pump(this.cur)
            return us
        }
        this.vm.sockOpen = (hostPtr, port) => this.open(readCString(this.vm.HEAPU8, hostPtr, 256), port)
        this.vm.sockWrite = (ptr, len) => this.write(this.vm.HEAPU8.slice(ptr, ptr + len))
        this.vm.sockClose = () => this.close()
        this.vm.sockIsAvailable = () => this.wifi.linked
        this.wifi.on("change", this.onLink)
        return this
    }

    /** The chip reset: the connection vanishes without a FIN (the broker finds out by keepalive or takeover). */
    abandon(): void {
        this.wifi.off("change", this.onLink)
        const c = this.cur
        this.cur = null
        if (c) c.sock.removeAllListeners("data").pause()
    }

    /** The device process ends: close everything, detach from the link. */
    dispose(): void {
        this.wifi.off("change", this.onLink)
        this.cur = null
        for (const s of this.live) s.destroy()
        this.live.clear()
    }

    open(host: string, port: number): number {
        const tls = port < 0
        if (tls) port = -port
        const name = `${tls ? "tls" : "tcp"}://${host}:${port}`
        this.close()
        if (tls && this.profile.tls === "none") {
            this.hooks.log(
                `sim: ${this.profile.label}: no TLS on this board; the open of ${name} returns ${ERR_BAD_PORT} and no event follows (pico:src/lwip_sock.c:141-142)`,
            )
            return ERR_BAD_PORT
        }
        const sock = tls
            ? tlsConnect({
                  host,
                  port,
                  servername: isIP(host) ? undefined : host,
                  // ESP32: esp_crt_bundle_attach with the built-in public roots only; no custom CA (esp:main/sock.c:42-47, 186).
                  ...(this.profile.tls === "public-roots"
                      ? { ca: this.hooks.publicRoots ?? [...rootCertificates], maxVersion: "TLSv1.2" as const }
                      : {}),
              })
            : createConnection({ host, port })
        const c: Conn = {
            sock,
            name,
            tls,
            open: false,
            held: [],
            queued: 0,
            deferred: [],
            rx: [],
            afterRx: [],
            window: this.profile.sendWindow ? new SendWindow(this.profile.sendWindow, this.now) : undefined,
        }
        this.cur = c
        this.live.add(sock)
        const openOn = tls && this.profile.tlsOpenAfter === "handshake" ? "secureConnect" : "connect"
        sock.once(openOn, () =>
            this.deliver(c, () => {
                c.open = true
                this.emit(EV_OPEN)
            }),
        )
        sock.on("data", (buf: Buffer) =>
            this.deliver(c, () => {
                c.window?.peerData()
                c.rx.push(buf)
                if (c.rx.length === 1) this.pump(c)
            }),
        )
        sock.on("error", (err: NodeJS.ErrnoException) =>
            this.deliver(c, () => this.afterData(c, () => this.failed(c, err))),
        )
        sock.on("close", () => {
            this.live.delete(sock)
            this.deliver(c, () => this.afterData(c, () => this.peerClosed(c)))
        })
        return 0
    }

    write(data: Uint8Array): number {
        const c = this.cur
        if (!c || !c.open) return ERR_NO_SOCKET
        const p = this.profile
        if (c.tls && p.tlsWriteRebootBytes && data.length >= p.tlsWriteRebootBytes) {
            this.abandon()
            throw new BoardReset(
                `a TLS write of ${data.length} B (>= ${p.tlsWriteRebootBytes}) fails JD_ASSERT(datalen < MBEDTLS_SSL_OUT_CONTENT_LEN) (esp:main/sock.c:244)`,
            )
        }
        if (p.writeQueueMax && c.queued >= p.writeQueueMax) {
            this.hooks.log(
                `sim: ${p.label}: ${c.queued} writes already queued for the socket task; this one returns ${ERR_QUEUE_FULL} (esp:main/sock.c:318-323)`,
            )
            return ERR_QUEUE_FULL
        }
        if (c.window && !c.window.write(data.length)) {
            const out = c.window.outstandingBytes
            this.hooks.log(
                `sim: ${p.label}: a ${data.length} B write with ${out} B unacknowledged needs a third segment pbuf: ` +
                    `tcp_write ERR_MEM, the runtime closes the connection (pico:src/lwip_sock.c:174-182)`,
            )
            this.raise(c, `write error: ${ERR_MEM}`)
            return ERR_MEM
        }
        const buf = Buffer.from(data)
        c.queued++
        if (this.wifi.linked) c.sock.write(buf, () => c.queued--)
        else c.held.push(buf)
        return 0
    }

    close(): number {
        const c = this.cur
        if (!c) return ERR_NO_SOCKET
        this.cur = null
        c.sock.end()
        return 0
    }

    /** A board-side failure on the open connection: the runtime closes it and reports error + close. */
    private raise(c: Conn, message: string) {
        this.cur = null
        c.sock.end()
        this.emit(EV_ERROR, message)
        this.emit(EV_CLOSE)
    }

    private failed(c: Conn, err: NodeJS.ErrnoException) {
        if (this.cur !== c) return
        const p = this.profile
        if (p.id === "sim") {
            this.cur = null
            this.emit(EV_ERROR, `${c.name}: ${err.message}`)
            return
        }
        this.cur = null
        c.sock.destroy()
        const dns = err.code === "ENOTFOUND" || err.code === "EAI_AGAIN"
        if (!c.open && dns) {
            if (p.connectErrorCloses) {
                // Pico W: lwIP calls host_found with a NULL address and the runtime dereferences it (lwip_sock.c:115-118) [inferred]: no event.
                this.hooks.log(
                    `sim: ${p.label}: DNS lookup of ${c.name} failed: no event reaches the program (pico:src/lwip_sock.c:115-118)`,
                )
                return
            }
            this.emit(EV_ERROR, "can't resolve host") // esp:main/sock.c:128-133, no close
            return
        }
        if (!c.open && c.tls && err.code !== "ECONNREFUSED" && p.tlsOpenAfter === "handshake") {
            this.hooks.log(`sim: ${p.label}: TLS handshake with ${c.name} failed: ${err.message}`)
            this.emit(EV_ERROR, "mbedtls_ssl_handshake") // esp:main/sock.c:207-208 → raise_error: error + close
            this.emit(EV_CLOSE)
            return
        }
        if (!c.open) {
            this.emit(EV_ERROR, p.connectError)
            if (p.connectErrorCloses) this.emit(EV_CLOSE)
            return
        }
        this.emit(EV_ERROR, p.resetError)
        this.emit(EV_CLOSE)
    }

    private peerClosed(c: Conn) {
        if (this.cur !== c) return
        this.cur = null
        if (this.profile.peerCloseError) this.emit(EV_ERROR, this.profile.peerCloseError)
        this.emit(EV_CLOSE)
    }

    /**
     * Hands the VM up to one receive window of what arrived, in chunks of the board's size; the rest
     * waits for the VM's next loop run, with the Node socket paused meanwhile (TCP backpressure).
     */
    private pump(c: Conn) {
        const p = this.profile
        let room = p.rxWindowBytes
        while (c.rx.length > 0 && room > 0 && this.cur === c) {
            const b = c.rx[0]
            const n = Math.min(p.rxChunkBytes, b.length, room)
            this.emit(EV_DATA, b.subarray(0, n))
            room -= n
            if (n === b.length) c.rx.shift()
            else c.rx[0] = b.subarray(n)
        }
        if (this.cur !== c) return
        if (c.rx.length > 0) return void c.sock.pause()
        c.sock.resume()
        for (const ev of c.afterRx.splice(0)) ev()
    }

    /** Runs an event once the data received before it has reached the VM. */
    private afterData(c: Conn, event: () => void) {
        if (c.rx.length > 0 && this.cur === c) c.afterRx.push(event)
        else event()
    }

    /** Runs an event now, or when the link is back: while it is down the socket is silent. */
    private deliver(c: Conn, event: () => void) {
        if (this.wifi.linked) return event()
        if (c.deferred.length === 0 && this.cur === c)
            this.hooks.log(
                `sim: ${this.profile.label}: the link is down: what ${c.name} sends is held until it is back`,
            )
        c.deferred.push(event)
    }

    private linkChanged(up: boolean) {
        const c = this.cur
        if (!c) return
        c.window?.setAcksFlow(up)
        if (!up) return
        for (const b of c.held.splice(0)) c.sock.write(b, () => c.queued--)
        for (const ev of c.deferred.splice(0)) if (this.cur === c) ev()
    }

    private emit(type: number, arg?: Uint8Array | string) {
        const vm = this.vm
        let ptr = 0
        let len = 0
        if (typeof arg === "string") {
            const b = Buffer.from(arg + "\0", "utf8")
            len = b.length - 1
            ptr = vm._malloc(b.length)
            vm.HEAPU8.set(b, ptr)
        } else if (arg) {
            len = arg.length
            ptr = vm._malloc(len)
            vm.HEAPU8.set(arg, ptr)
        }
        vm._jd_em_tcpsock_on_event(type, ptr, len)
        if (ptr) vm._free(ptr)
    }
}

/** A NUL-terminated UTF-8 string in the VM's heap (the glue's UTF8ToString(ptr, 256)). */
export function readCString(heap: Uint8Array, ptr: number, max: number): string {
    let end = ptr
    while (end < ptr + max && heap[end] !== 0) end++
    return Buffer.from(heap.subarray(ptr, end)).toString("utf8")
}
