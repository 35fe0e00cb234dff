/**
 * The interop report: each test file writes its part (rows, broker versions,
 * fuzz counts) as JSON under bench/tmp/; the global teardown merges the parts
 * into bench/interop.json and bench/interop.md and prints the table.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, release, totalmem } from "node:os"
import { join } from "node:path"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import type { Row } from "./measure.ts"

export const BENCH_DIR = join(PROJECT_DIR, "bench")
export const PARTS_DIR = join(BENCH_DIR, "tmp", "interop-parts")
export const COMMAND = "npm run test:interop"

export interface BrokerInfo {
    kind: string
    version: string
    startMs: number
    authHow: string
    error?: string
}

export interface FuzzResult {
    seed: number
    /** Mutated packets whose bytes were all delivered to the device. */
    cases: number
    byOp: Record<string, number>
    /** Cases after which the device closed the connection (protocol violation or truncation). */
    closed: number
    /** Cases the device accepted (the probe behind them was acknowledged). */
    accepted: number
    /** Cases after which the device waited for more bytes until the broker closed. */
    stalled: number
    connections: number
    violationsLogged: number
    panics: string[]
    connectedAtEnd: boolean
    publishingAtEnd: boolean
    durationMs: number
}

export interface Part {
    brokers?: BrokerInfo[]
    rows?: Row[]
    fuzz?: FuzzResult
}

export function resetParts(): void {
    rmSync(PARTS_DIR, { recursive: true, force: true })
    mkdirSync(PARTS_DIR, { recursive: true })
}

export function writePart(name: string, part: Part): void {
    mkdirSync(PARTS_DIR, { recursive: true })
    writeFileSync(join(PARTS_DIR, `${name}.json`), JSON.stringify(part, null, 2))
}

export function readParts(): Part {
    const all: Part = { brokers: [], rows: [] }
    if (!existsSync(PARTS_DIR)) return all
    for (const f of readdirSync(PARTS_DIR).sort()) {
        const p = JSON.parse(readFileSync(join(PARTS_DIR, f), "utf8")) as Part
        all.brokers!.push(...(p.brokers ?? []))
        all.rows!.push(...(p.rows ?? []))
        if (p.fuzz) all.fuzz = p.fuzz
    }
    return all
}

export function machine() {
    const c = cpus()
    return {
        cpus: c.length,
        cpuModel: c[0]?.model ?? "unknown",
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: `${process.platform} ${release()}`,
        node: process.version,
    }
}

const SCENARIO_ORDER = ["S1", "S2", "S3", "S4", "S5", "S6", "S8 refused", "S8 rc 3", "S8 withheld", "S9", "S10"]

export function table(rows: Row[]): string {
    const sorted = [...rows].sort((a, b) => SCENARIO_ORDER.indexOf(a.scenario) - SCENARIO_ORDER.indexOf(b.scenario))
    const lines = [
        "| broker | scenario | sent | delivered | dropped | lost | duplicated | Will seen | result | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    const kinds = [...new Set(rows.map(r => r.broker))]
    for (const k of kinds)
        for (const r of sorted.filter(x => x.broker === k))
            lines.push(
                `| ${r.broker} | ${r.scenario}: ${r.title} | ${r.sent} | ${r.delivered} | ${r.dropped} | ${r.lost} | ${r.duplicated} | ${r.will} | ${r.status} | ${r.notes.join("; ").replace(/\|/g, "/")} |`,
            )
    return lines.join("\n")
}

export function fuzzSummary(f: FuzzResult | undefined): string {
    if (!f) return "Fuzz: not run."
    const ops = Object.entries(f.byOp)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")
    return [
        `Fuzz (seed ${f.seed}): ${f.cases} mutated broker packets delivered to one VM over ${f.connections} connections in ${(f.durationMs / 1000).toFixed(0)} s`,
        `(${ops}); the device closed the connection after ${f.closed}, accepted ${f.accepted}, waited for more bytes after ${f.stalled};`,
        `${f.violationsLogged} protocol violations logged; VM panics: ${f.panics.length}; connected at the end: ${f.connectedAtEnd ? "yes" : "no"}; publishing at the end: ${f.publishingAtEnd ? "yes" : "no"}.`,
    ].join(" ")
}

export function writeReport(startedAt: number): string {
    const parts = readParts()
    // A run of other interop files (outage, soak) has no broker table: keep the last full report.
    if (!parts.rows?.length && !parts.fuzz)
        return "no broker scenarios ran: bench/interop.{md,json} left as they were\n"
    const date = new Date().toISOString()
    const durationS = Math.round((Date.now() - startedAt) / 1000)
    const m = machine()
    const report = {
        date,
        command: COMMAND,
        durationS,
        machine: m,
        brokers: parts.brokers,
        rows: parts.rows,
        fuzz: parts.fuzz ?? null,
    }
    mkdirSync(BENCH_DIR, { recursive: true })
    writeFileSync(join(BENCH_DIR, "interop.json"), JSON.stringify(report, null, 2) + "\n")
    const versions = (parts.brokers ?? [])
        .map(b => `${b.kind} ${b.version || "?"}${b.error ? ` (${b.error})` : ""}`)
        .join(", ")
    const md = [
        "# Interop run",
        "",
        `\`${COMMAND}\` on ${date}, ${durationS} s. Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}.`,
        `Brokers: ${versions}.`,
        "",
        "sent = highest telemetry seq the device produced in the window; delivered = distinct seqs the observer received;",
        "dropped = missing seqs covered by the device's own drop counters (queue bound, TTL); lost = missing seqs nothing explains;",
        "duplicated = copies beyond the first; Will seen = the retained `offline` Will reached the observer during the fault (n.a.: not part of the scenario).",
        "",
        table(parts.rows ?? []),
        "",
        fuzzSummary(parts.fuzz),
        "",
    ].join("\n")
    writeFileSync(join(BENCH_DIR, "interop.md"), md)
    return md
}
