/**
 * The benchmark's smoke run, so `npm run bench` never rots. No timing is
 * asserted here: only that every client ran and the results were written.
 * The benchmark firmwares are built here, not in the global setup: no other
 * file needs them, and the e2e tier runs one file at a time, so no other
 * build overlaps these.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { beforeAll, expect, test } from "vitest"
import { buildBenchFirmwares } from "../../bench/run.ts"

const TSX_CLI = createRequire(import.meta.url).resolve("tsx/cli")

beforeAll(() => {
    buildBenchFirmwares()
}, 300_000)

test("npm run bench -- --smoke runs every client and writes results.smoke.json", () => {
    const r = spawnSync(process.execPath, [TSX_CLI, "bench/run.ts", "--smoke", "--prebuilt"], {
        encoding: "utf8",
        timeout: 400_000,
    })
    expect(r.status, r.stdout.slice(-3000) + r.stderr.slice(-3000)).toBe(0)
    const res = JSON.parse(readFileSync("bench/results.smoke.json", "utf8"))
    for (const k of ["ours", "stock", "mqttjs", "raw"]) expect(res[k]).toBeDefined()
    expect(res.ours.qos1_per_s).toBeGreaterThan(0)
    expect(res.mqttjs.qos1_per_s).toBeGreaterThan(0)
    expect(res.raw.qos0_per_s).toBeGreaterThan(0)
    expect(res.wire_ratio).toBe(1)
    // Consecutive packets share a socket write: never more than one write per packet.
    expect(res.writes_per_packet).toBeLessThanOrEqual(1)
    expect(res.step_margin).toBeGreaterThan(0)
    expect(res.runs.find((x: { client: string; qos: number }) => x.client === "ours" && x.qos === 1).delivered).toBe(
        res.messages,
    )
    // Devices per core: three VMs in one device host process, and a small synthetic fleet; every device delivered.
    const [real] = res.scale.real
    expect(real).toMatchObject({ devices: 3, processes: 1, panics: 0, unexplained: 0 })
    expect(real.min_rate).toBeGreaterThan(0)
    expect(real.devices_per_core).toBeGreaterThan(0)
    expect(res.scale.synthetic).toMatchObject({ devices: 50, connected: 50, missing: 0 })
    expect(res.scale.synthetic.min_rate).toBeGreaterThan(0)
}, 420_000)
