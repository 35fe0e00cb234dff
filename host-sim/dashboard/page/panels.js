// The tables of the page, rendered from the device views the feed sends (state.ts DeviceView).
// Every value is escaped: device names and payloads come from the network.

export function esc(v) {
    return String(v ?? "").replace(
        /[&<>"']/g,
        c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
    )
}

export function age(ms) {
    if (!ms) return "never"
    const s = Math.max(0, Math.round(ms / 1000))
    return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`
}

const byCause = o => {
    const parts = Object.entries(o ?? {}).filter(([, n]) => n)
    return parts.length ? parts.map(([k, n]) => `${esc(k)} ${n}`).join(", ") : "0"
}

/** online / offline from the status topic; "silent" when online but nothing arrived for 3 periods (a blackhole, a hung device). */
export function liveStatus(d, nowMs) {
    if (d.status !== "online") return d.status
    const quietMs = 3 * (d.periodMs ?? 5000) + 2000
    return d.lastSeenMs && nowMs - d.lastSeenMs > quietMs ? "silent" : "online"
}

function sensorsCell(sensors) {
    const bad = Object.entries(sensors ?? {})
    if (!bad.length) return `<span class="muted">all ok</span>`
    return bad
        .map(
            ([n, s]) =>
                `<span class="${s.status === "failed" ? "bad" : "warn"}">${esc(n)} ${esc(s.status)} (${esc(s.error)})</span>`,
        )
        .join("<br>")
}

function row(name, cells) {
    return `<tr data-device="${esc(name)}">${cells.map(([f, html, cls]) => `<td data-field="${f}"${cls ? ` class="${cls}"` : ""}>${html}</td>`).join("")}</tr>`
}

export function devicesRows(devices, nowMs) {
    return devices
        .map(d => {
            const st = liveStatus(d, nowMs)
            return row(d.name, [
                ["name", `<b>${esc(d.name)}</b>`],
                ["status", `<span class="status" data-status="${st}">${st}</span>`],
                ["last-seen", age(d.lastSeenMs && nowMs - d.lastSeenMs)],
                ["boot", esc(d.boot || "–")],
                ["seq", d.seq || "–", "num"],
                ["period", d.periodMs ? `${d.periodSet ? "" : "≈ "}${d.periodMs} ms` : "–", "num"],
                ["rssi", d.rssi === null ? `<span class="muted">not reported</span>` : `${d.rssi} dBm`],
                ["sensors", sensorsCell(d.sensors)],
                ["bad-input", d.badPayloads ? `<span class="bad">${d.badPayloads}</span>` : "0", "num"],
            ])
        })
        .join("")
}

export function ledgerRows(devices) {
    return devices
        .map(d => {
            const l = d.ledger
            return row(d.name, [
                ["name", `<b>${esc(d.name)}</b>`],
                ["received", l.received, "num"],
                ["duplicates", l.duplicates, "num"],
                ["gaps", l.gaps, "num"],
                ["missing", l.missing, "num"],
                ["dropped", byCause(l.dropped)],
                ["unexplained", l.unexplained ? `<span class="bad">${l.unexplained}</span>` : "0", "num"],
                ["reboots", l.reboots, "num"],
                ["silence", l.silence ? `<span class="bad">${esc(l.silence)}</span>` : "–"],
            ])
        })
        .join("")
}

export function diagnosticsRows(devices, nowMs) {
    return devices
        .map(d => {
            const g = d.diagnostics
            if (!g)
                return row(d.name, [
                    ["name", `<b>${esc(d.name)}</b>`],
                    ["none", `<span class="muted">no diagnostics yet</span>`],
                ])
            const m = g.mqtt ?? {}
            return row(d.name, [
                ["name", `<b>${esc(d.name)}</b>`],
                ["fw", `${esc(g.fw)} / ${esc(g.arch)}`],
                ["connects", esc(m.connects), "num"],
                ["reconnects", esc(m.reconnects), "num"],
                ["disconnects", byCause(m.disconnects)],
                ["published", `${esc(m.published)} / ${esc(m.acked)}`, "num"],
                ["retransmits", esc(m.retransmits), "num"],
                ["drops", byCause(m.drops)],
                ["queue", `${esc(m.queue)} (${esc(m.queue_bytes)} B)`, "num"],
                ["inflight", esc(m.inflight), "num"],
                ["rtt", m.rtt_ms === undefined ? "–" : `${esc(m.rtt_ms)} ms`, "num"],
                ["age", age(nowMs - d.diagnosticsAtMs)],
            ])
        })
        .join("")
}

/** One row per device: its entities (unit, device class on hover), removed ones struck out. */
export function discoveryRows(devices) {
    return devices
        .filter(d => d.discovery.length)
        .map(d => {
            const entities = d.discovery
                .map(e =>
                    e.removed
                        ? `<s title="removed">${esc(e.key)}</s>`
                        : `<span title="${esc(e.component)}/${esc(e.key)} ${esc(e.deviceClass)}">${esc(e.name)}${e.unit ? ` <span class="muted">${esc(e.unit)}</span>` : ""}</span>`,
                )
                .join(" · ")
            const expire =
                [...new Set(d.discovery.filter(e => e.expireAfterS !== null).map(e => `${e.expireAfterS} s`))].join(
                    ", ",
                ) || "–"
            return row(d.name, [
                ["name", `<b>${esc(d.name)}</b>`],
                ["entities", entities, "wrap"],
                ["expire", expire],
            ])
        })
        .join("")
}

export function unknownRows(unknown) {
    return unknown
        .map(u => `<tr><td>${esc(u.topic)}</td><td class="num">${u.count}</td><td>${esc(u.preview)}</td></tr>`)
        .join("")
}

export function eventItem(e) {
    const t = new Date(e.atMs).toLocaleTimeString()
    return `<li data-kind="${esc(e.kind)}" data-level="${esc(e.level)}"><span class="t">${t}</span>${e.device ? `<b>${esc(e.device)}</b> ` : ""}${esc(e.kind)}: ${esc(e.text)}</li>`
}

const NETWORK_LABELS = { ok: "normal", cut: "cut network", blackhole: "blackhole", slow: "slow link" }

export function controlsRows(view) {
    return view.devices
        .map(c => {
            const net =
                c.network === null
                    ? `<span class="muted">${esc(view.networkNote)}</span>`
                    : Object.entries(NETWORK_LABELS)
                          .map(
                              ([f, label]) =>
                                  `<button data-action="network" data-fault="${f}" data-device="${esc(c.name)}" aria-pressed="${c.network === f}">${label}</button>`,
                          )
                          .join("")
            const power =
                c.power === "on"
                    ? `<button data-action="reboot" data-device="${esc(c.name)}">reboot</button><button data-action="power-cut" data-device="${esc(c.name)}">power cut</button>`
                    : `<span class="bad">off</span> <button data-action="power-on" data-device="${esc(c.name)}">power on</button>`
            const sensors = Object.entries(c.sensors)
                .map(
                    ([s, mode]) =>
                        `<span class="sensor-ctl">${esc(s)}: ` +
                        [
                            ["ok", "ok"],
                            ["fail", "fail"],
                            ["stuck", "freeze"],
                        ]
                            .map(
                                ([m, label]) =>
                                    `<button data-action="sensor" data-device="${esc(c.name)}" data-sensor="${esc(s)}" data-mode="${m}" aria-pressed="${mode === m}">${label}</button>`,
                            )
                            .join("") +
                        `</span>`,
                )
                .join("")
            return `<tr data-device="${esc(c.name)}"><td><b>${esc(c.name)}</b></td><td data-field="network">${net}</td><td data-field="power">${power}</td><td>${sensors}</td></tr>`
        })
        .join("")
}
