/**
 * A stand-in for the Emscripten module's socket side: a heap, malloc/free, and
 * `_jd_em_tcpsock_on_event` recording what the runtime would see. Like the
 * runtime (ds:runtime/devicescript/impl_socket.c), it closes the socket when an
 * error arrives and ignores events after error or close until the next open.
 */
import { EventEmitter } from "node:events"
import type { SocketVm } from "../../host-sim/board/board-socket.ts"

export type SockEvent =
    { type: "open" } | { type: "close" } | { type: "error"; text: string } | { type: "data"; bytes: Buffer }

const NAMES = ["", "open", "close", "error", "data"] as const

export class FakeSocketVm extends EventEmitter implements SocketVm {
    HEAPU8 = new Uint8Array(1 << 20)
    /** Everything the backend reported, in order. */
    readonly raw: SockEvent[] = []
    /** What reached the program: nothing after an error or a close (the runtime drops its hook). */
    readonly events: SockEvent[] = []
    private hooked = false
    private next = 16
    /** Runs of the runtime's loop so far; `perTurn[i]`: data bytes reported before run i + 1. */
    turns = 0
    readonly perTurn: number[] = [0]
    sockOpen!: (hostPtr: number, port: number) => number
    sockWrite!: (ptr: number, len: number) => number
    sockClose!: () => number
    sockIsAvailable!: () => boolean

    _malloc(size: number): number {
        if (this.next + size > this.HEAPU8.length) this.next = 16
        const p = this.next
        this.next += size
        return p
    }
    _free(): void {}

    /** One run of the runtime's loop (BoardSocket wraps this property to feed the next receive window). */
    _jd_em_process(): number {
        this.turns++
        this.perTurn.push(0)
        return 10_000
    }

    _jd_em_tcpsock_on_event(type: number, ptr: number, len: number): void {
        const bytes = Buffer.from(this.HEAPU8.subarray(ptr, ptr + len))
        const name = NAMES[type]
        const ev: SockEvent =
            name === "error"
                ? { type: "error", text: bytes.toString("utf8") }
                : name === "data"
                  ? { type: "data", bytes }
                  : { type: name as "open" | "close" }
        this.raw.push(ev)
        if (ev.type === "data") this.perTurn[this.turns] += len
        this.emit("raw", ev)
        if (!this.hooked) return
        this.events.push(ev)
        if (name === "error" || name === "close") {
            this.hooked = false
            if (name === "error") this.sockClose()
        }
        this.emit("event", ev)
    }

    /** `ds._socketOpen(host, port)`: what impl_socket.c does around the backend (throws while the network is down). */
    open(host: string, port: number): number {
        if (!this.sockIsAvailable()) throw new RangeError("network not available")
        const b = Buffer.from(host + "\0", "utf8")
        const p = this._malloc(b.length)
        this.HEAPU8.set(b, p)
        this.hooked = true
        const r = this.sockOpen(p, port)
        if (r !== 0) this.hooked = false
        return r
    }

    write(data: Uint8Array | string): number {
        const b = Buffer.from(data)
        const p = this._malloc(b.length)
        this.HEAPU8.set(b, p)
        return this.sockWrite(p, b.length)
    }

    /** Resolves with the first event of this type the program saw (or, with `raw`, the backend reported). */
    waitFor(type: SockEvent["type"], raw = false): Promise<SockEvent> {
        const seen = (raw ? this.raw : this.events).find(e => e.type === type)
        if (seen) return Promise.resolve(seen)
        const channel = raw ? "raw" : "event"
        return new Promise(resolve => {
            const on = (e: SockEvent) => {
                if (e.type !== type) return
                this.off(channel, on)
                resolve(e)
            }
            this.on(channel, on)
        })
    }

    dataBytes(): number {
        return this.events.reduce((n, e) => n + (e.type === "data" ? e.bytes.length : 0), 0)
    }
}
