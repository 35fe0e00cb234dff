/**
 * The dashboard's HTTP server on 127.0.0.1: the page (./page), uPlot from
 * node_modules (no CDN: the page works offline), the live feed (feed.ts) on
 * /feed, and two actions: POST /api/period (the period downlink) and POST
 * /api/control (fault controls, simulator mode only). Requests must name this
 * server in Host (and Origin, for actions): another web site open in the same
 * browser cannot drive the controls.
 */
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { createRequire } from "node:module"
import { dirname, extname, join } from "node:path"
import { parsePeriodCommand } from "../../firmware/telemetry/downlink.ts"
import { topicsFor } from "../../firmware/telemetry/topics.ts"
import type { BrokerLink } from "./broker-link.ts"
import { Feed } from "./feed.ts"
import type { Control, SimControls } from "./sim-controls.ts"
import type { DashboardState } from "./state.ts"

const PAGE_DIR = join(import.meta.dirname, "page")
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve("uplot/dist/uPlot.iife.min.js"))
/** URL path → file. Nothing else is served. */
const FILES: Record<string, string> = {
    "/": join(PAGE_DIR, "index.html"),
    "/app.js": join(PAGE_DIR, "app.js"),
    "/charts.js": join(PAGE_DIR, "charts.js"),
    "/time-axis.js": join(PAGE_DIR, "time-axis.js"),
    "/panels.js": join(PAGE_DIR, "panels.js"),
    "/style.css": join(PAGE_DIR, "style.css"),
    "/vendor/uPlot.iife.min.js": join(UPLOT_DIR, "uPlot.iife.min.js"),
    "/vendor/uPlot.min.css": join(UPLOT_DIR, "uPlot.min.css"),
}
const TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
const MAX_BODY_BYTES = 4096

export interface DashboardServerOptions {
    /** 0: a free port. */
    port: number
    state: DashboardState
    link: BrokerLink
    controls?: SimControls
    /** Each action taken on the page (a fault control, a period downlink), as its event says it: for the terminal. */
    onAction?: (text: string) => void
}

export class DashboardServer {
    url = ""
    readonly feed: Feed
    private readonly http: Server

    constructor(private readonly o: DashboardServerOptions) {
        this.feed = new Feed({
            state: o.state,
            mode: o.controls ? "simulator" : "broker",
            controls: o.controls ? () => o.controls!.view() : undefined,
        })
        this.http = createServer((req, res) => void this.handle(req, res))
        this.http.on("upgrade", (req, sock, head) => {
            if (req.url !== "/feed" || !this.allowed(req, false)) return void sock.destroy()
            this.feed.wss.handleUpgrade(req, sock, head, ws => this.feed.wss.emit("connection", ws, req))
        })
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve, reject) => {
            this.http.once("error", (e: NodeJS.ErrnoException) =>
                reject(
                    new Error(
                        e.code === "EADDRINUSE"
                            ? `dashboard port ${this.o.port} is in use: choose another with --dashboard-port`
                            : e.message,
                    ),
                ),
            )
            this.http.listen(this.o.port, "127.0.0.1", () => resolve())
        })
        this.url = `http://127.0.0.1:${(this.http.address() as { port: number }).port}/`
        this.feed.start()
        return this.url
    }

    async stop(): Promise<void> {
        await this.feed.stop()
        this.http.closeAllConnections()
        await new Promise<void>(resolve => this.http.close(() => resolve()))
    }

    private allowed(req: IncomingMessage, action: boolean): boolean {
        const port = (this.http.address() as { port: number }).port
        const hosts = [`127.0.0.1:${port}`, `localhost:${port}`]
        if (!hosts.includes(req.headers.host ?? "")) return false
        const origin = req.headers.origin
        return !action || origin === undefined || hosts.some(h => origin === `http://${h}`)
    }

    private async handle(req: IncomingMessage, res: ServerResponse) {
        try {
            if (!this.allowed(req, req.method === "POST"))
                return reply(res, 403, { error: "forbidden: use the URL the dashboard printed" })
            const path = (req.url ?? "/").split("?")[0]
            if (req.method === "GET" && FILES[path]) {
                res.writeHead(200, {
                    "content-type": TYPES[extname(FILES[path]) || ".html"] ?? TYPES[".html"],
                    "cache-control": "no-cache",
                })
                return res.end(readFileSync(FILES[path]))
            }
            if (req.method === "GET" && path === "/favicon.ico") return void res.writeHead(204).end()
            if (req.method === "GET" && path === "/api/state") return reply(res, 200, this.o.state.snapshot(Date.now()))
            if (req.method === "POST" && path === "/api/period")
                return reply(res, 200, { text: await this.period(await body(req)) })
            if (req.method === "POST" && path === "/api/control")
                return reply(res, 200, { text: await this.control(await body(req)) })
            reply(res, 404, { error: `not found: ${req.method} ${path}` })
        } catch (e) {
            if (!res.headersSent) reply(res, 400, { error: (e as Error).message })
        }
    }

    private async period(b: Record<string, unknown>): Promise<string> {
        const device = String(b.device ?? "")
        if (!device || /[/+#]/.test(device)) throw new Error(`not a device name: '${device}'`)
        const cmd = parsePeriodCommand(String(b.periodMs ?? ""))
        if (!cmd.ok) throw new Error(cmd.message)
        const topic = topicsFor(this.o.state.prefix, device).setPeriod
        await this.o.link.publish(topic, String(cmd.periodMs))
        this.o.onAction?.(`period downlink: sent ${cmd.periodMs} to ${topic}`)
        return `sent ${cmd.periodMs} to ${topic}`
    }

    private async control(b: Record<string, unknown>): Promise<string> {
        if (!this.o.controls) throw new Error("fault controls exist in simulator mode only (npm start)")
        const c = b as unknown as Control
        try {
            const text = await this.o.controls.apply(c)
            this.o.state.event(Date.now(), "control", String(c.device ?? ""), text, "info")
            this.o.onAction?.(text)
            return text
        } catch (e) {
            this.o.state.event(
                Date.now(),
                "control",
                String(c.device ?? ""),
                `control refused: ${(e as Error).message}`,
                "error",
            )
            this.o.onAction?.(`control refused: ${(e as Error).message}`)
            throw e
        } finally {
            this.feed.tick()
        }
    }
}

function reply(res: ServerResponse, code: number, body: unknown) {
    res.writeHead(code, { "content-type": "application/json" })
    res.end(JSON.stringify(body))
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
    let text = ""
    for await (const chunk of req) {
        text += chunk
        if (text.length > MAX_BODY_BYTES) throw new Error("request too large")
    }
    const v = JSON.parse(text || "{}")
    if (!v || typeof v !== "object") throw new Error("expected a JSON object")
    return v
}
