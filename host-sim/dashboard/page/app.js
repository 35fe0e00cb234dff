// The dashboard page: a snapshot then deltas over the WebSocket feed (feed.ts), rendered into the
// tables (panels.js) and charts (charts.js); buttons post to /api/control and /api/period.
import { Charts } from "./charts.js"
import {
    controlsRows,
    devicesRows,
    diagnosticsRows,
    discoveryRows,
    esc,
    eventItem,
    ledgerRows,
    unknownRows,
} from "./panels.js"

const RECONNECT_MS = 1000
const EVENTS_SHOWN = 300
/** The page redraws at most this often, however fast the feed: tables and charts of 20 devices cost the browser. */
const RENDER_MS = 1000
const $ = id => document.getElementById(id)

const model = {
    mode: "",
    devices: new Map(),
    events: [],
    unknown: [],
    broker: null,
    controls: null,
    charts: null,
    skewMs: 0,
}
let scheduled = false
let renderedAt = 0

function apply(msg) {
    model.skewMs = msg.nowMs - Date.now()
    if (msg.type === "snapshot") {
        model.mode = msg.mode
        model.devices = new Map()
        model.events = []
        $("charts").innerHTML = ""
        model.charts = new Charts($("charts"), msg.windowMs, msg.units)
        $("prefix").textContent = `${msg.prefix}/#`
    }
    for (const d of msg.devices ?? []) model.devices.set(d.name, d)
    model.events.push(...(msg.events ?? []))
    if (model.events.length > EVENTS_SHOWN) model.events.splice(0, model.events.length - EVENTS_SHOWN)
    if (msg.unknown?.length) model.unknown = msg.unknown
    if (msg.broker) model.broker = msg.broker
    if (msg.controls) model.controls = msg.controls
    model.charts.add(msg.points ?? [])
    schedule()
}

function schedule() {
    if (scheduled) return
    scheduled = true
    setTimeout(
        () =>
            requestAnimationFrame(() => {
                scheduled = false
                renderedAt = Date.now()
                try {
                    render()
                } catch (e) {
                    feedState("closed", `page error: ${e.message}`)
                }
            }),
        Math.max(0, renderedAt + RENDER_MS - Date.now()),
    )
}

function sensorNotes(q) {
    const base = q.split("_")[0]
    const notes = []
    for (const d of model.devices.values())
        for (const [name, s] of Object.entries(d.sensors ?? {}))
            if (name === q || name === base || q.startsWith(name))
                notes.push(
                    `<span class="${s.status === "failed" ? "bad" : "warn"}">${esc(d.name)}: ${esc(name)} ${esc(s.status)} (${esc(s.error)})</span>`,
                )
    return notes.join(" · ")
}

function render() {
    const now = Date.now() + model.skewMs
    const devices = [...model.devices.values()].sort((a, b) =>
        a.name.localeCompare(b.name, undefined, { numeric: true }),
    )
    $("mode").textContent = model.mode === "simulator" ? "simulator" : "broker only"
    const b = model.broker
    if (b) {
        const $b = $("broker")
        $b.dataset.state = b.state
        $b.textContent =
            b.state === "connected"
                ? `broker: ${b.url}`
                : `broker ${b.url}: ${b.state}${b.error ? ` — ${b.error}` : ""}`
    }
    $("no-devices").hidden = devices.length > 0
    $("devices").tBodies[0].innerHTML = devicesRows(devices, now)
    $("ledger").tBodies[0].innerHTML = ledgerRows(devices)
    $("diagnostics").tBodies[0].innerHTML = diagnosticsRows(devices, now)
    $("discovery").tBodies[0].innerHTML = discoveryRows(devices)
    $("unknown").tBodies[0].innerHTML = unknownRows(model.unknown)
    $("events").innerHTML = model.events.slice().reverse().map(eventItem).join("")
    $("controls-section").hidden = !model.controls
    if (model.controls) {
        $("global-controls").innerHTML = model.controls.brokerRestart
            ? `<button data-action="broker-restart">restart the broker</button>`
            : ""
        $("controls").tBodies[0].innerHTML = controlsRows(model.controls)
    }
    const sel = $("period-device")
    const names = devices.map(d => d.name)
    if ([...sel.options].map(o => o.value).join() !== names.join()) {
        const keep = sel.value
        sel.innerHTML = names.map(n => `<option>${esc(n)}</option>`).join("")
        if (names.includes(keep)) sel.value = keep
    }
    model.charts.render(now, sensorNotes)
}

function feedState(state, text) {
    $("feed").dataset.state = state
    $("feed").textContent = text
}

function connect() {
    const ws = new WebSocket(`ws://${location.host}/feed`)
    ws.onopen = () => feedState("connected", "page: live")
    ws.onmessage = e => {
        try {
            apply(JSON.parse(e.data))
        } catch (err) {
            feedState("closed", `page error: ${err.message}`)
        }
    }
    ws.onclose = () => {
        feedState("closed", "page: the dashboard server is gone; retrying")
        setTimeout(connect, RECONNECT_MS)
    }
}

async function post(path, body) {
    const r = await fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
    })
    const j = await r.json().catch(() => ({ error: `HTTP ${r.status}` }))
    if (!r.ok) throw new Error(j.error ?? `HTTP ${r.status}`)
    return j.text
}

document.addEventListener("click", e => {
    const btn = e.target.closest("button[data-action]")
    if (!btn) return
    const { action, device, fault, sensor, mode } = btn.dataset
    btn.disabled = true
    post("/api/control", { action, device, fault, sensor, mode })
        .catch(() => {}) // the server puts the refusal in the event log
        .finally(() => (btn.disabled = false))
})

$("period-form").addEventListener("submit", e => {
    e.preventDefault()
    const out = $("period-result")
    out.className = "muted"
    out.textContent = "sending…"
    post("/api/period", { device: $("period-device").value, periodMs: $("period-ms").value }).then(
        text => (out.textContent = `${text}; the answer appears in the events`),
        err => {
            out.className = "bad"
            out.textContent = err.message
        },
    )
})

setInterval(schedule, 1000)
connect()
