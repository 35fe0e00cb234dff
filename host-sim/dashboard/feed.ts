/**
 * The live feed to the page, over a WebSocket (`ws`): a page that connects
 * gets a snapshot of everything, then every FEED_MS one delta with what
 * changed (devices, new chart points, events, unknown topics, broker link,
 * fault controls). A page that cannot keep up is disconnected; it reconnects
 * and starts again from a snapshot.
 */
import { WebSocketServer, type WebSocket } from "ws"
import type { ControlsView } from "./sim-controls.ts"
import type { DashboardState } from "./state.ts"

export const FEED_DEFAULTS = {
    intervalMs: 500,
    /** Bytes queued towards one page before it counts as stuck. */
    maxBufferedBytes: 8 * 1024 * 1024,
}

export interface FeedSource {
    state: DashboardState
    mode: "simulator" | "broker"
    controls?: () => ControlsView
}

export class Feed {
    readonly wss = new WebSocketServer({ noServer: true })
    private timer?: NodeJS.Timeout
    private lastControls = ""

    constructor(
        private readonly src: FeedSource,
        private readonly o = FEED_DEFAULTS,
    ) {
        this.wss.on("connection", ws => this.welcome(ws))
    }

    start(): void {
        this.timer = setInterval(() => this.tick(), this.o.intervalMs)
    }

    /** Sends what changed now (also called by the server right after a control, so its effect shows at once). */
    tick(): void {
        const now = Date.now()
        const d = this.src.state.drain(now)
        const controls = this.src.controls?.()
        const controlsJson = controls ? JSON.stringify(controls) : ""
        const controlsChanged = controlsJson !== this.lastControls
        this.lastControls = controlsJson
        const empty =
            !d.devices.length &&
            !d.points.length &&
            !d.events.length &&
            !d.unknown.length &&
            !d.broker &&
            !controlsChanged
        if (empty || this.wss.clients.size === 0) return
        const text = JSON.stringify({
            type: "delta",
            nowMs: now,
            ...d,
            controls: controlsChanged ? controls : undefined,
        })
        for (const ws of this.wss.clients) this.send(ws, text)
    }

    async stop(): Promise<void> {
        clearInterval(this.timer)
        for (const ws of this.wss.clients) ws.terminate()
        await new Promise<void>(resolve => this.wss.close(() => resolve()))
    }

    private welcome(ws: WebSocket) {
        ws.on("error", () => ws.terminate())
        const now = Date.now()
        const text = JSON.stringify({
            type: "snapshot",
            nowMs: now,
            mode: this.src.mode,
            controls: this.src.controls?.(),
            ...this.src.state.snapshot(now),
        })
        this.send(ws, text)
    }

    private send(ws: WebSocket, text: string) {
        if (ws.readyState !== ws.OPEN) return
        if (ws.bufferedAmount > this.o.maxBufferedBytes) return ws.terminate()
        ws.send(text)
    }
}
