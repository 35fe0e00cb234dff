/**
 * Heap samples of the production firmware on the VM, for comparing two trees (run it in a worktree
 * of each, at the same time, so both see the same machine load):
 *
 *   npx tsx bench/heap-sample.ts [--runs N] [--ballast B]
 *
 * - worst case (bench/heap-headroom.ts) N times with B bytes of ballast (default 12,800): how many
 *   runs survive, and at each OutOfMemory the VM's live objects and largest free block. One
 *   bisection cannot compare firmwares: the worst case fails by fragmentation, so the same ballast
 *   survives some runs and not others.
 * - steady state (bench/firmware/steady-probe.ts) N times: connected and idle with the defaults,
 *   then 128-byte pieces until OutOfMemory: how many fitted, and the objects alive then.
 *
 * Prints one JSON line per run and a summary. Numbers in docs/benchmark.md.
 */
import { parseArgs } from "node:util"
import { buildFirmware } from "../host-sim/device/build-firmware.ts"
import { startMosquitto } from "../host-sim/brokers/mosquitto.ts"
import { SESSION_DEFAULTS } from "../firmware/mqtt/options.ts"
import { VmUnderTest } from "../host-sim/device/vm-under-test.ts"
import { worstCase } from "./heap-headroom.ts"

const { values } = parseArgs({ options: { runs: { type: "string" }, ballast: { type: "string" } } })
const RUNS = Number(values.runs ?? 8)
const BALLAST = Number(values.ballast ?? 12800)
const STEADY_LIMIT_MS = 120_000

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
const objects = (stats: string) => Number(/(\d+) objects/.exec(stats)?.[1] ?? NaN)

const worstBc = buildFirmware("bench/firmware/heap-probe.ts", "heap-sample-worst.devs")
const steadyBc = buildFirmware("bench/firmware/steady-probe.ts", "heap-sample-steady.devs")
const broker = await startMosquitto({})
try {
    let survived = 0
    for (let i = 0; i < RUNS; i++) {
        const r = await worstCase(broker, worstBc, BALLAST, SESSION_DEFAULTS.maxInboundBytes)
        if (r.survived) survived++
        console.log(
            JSON.stringify({ run: "worst", i, ballast: BALLAST, survived: r.survived, stats: r.oomLine, at: r.oomAt }),
        )
    }
    const pieces: number[] = []
    for (let i = 0; i < RUNS; i++) {
        const vm = new VmUnderTest(broker.port, {}, "127.0.0.1", steadyBc, "", { productDefaults: true }).start()
        try {
            const t0 = Date.now()
            while (!vm.log.some(l => /OutOfMemory|PANIC/.test(l)) && Date.now() - t0 < STEADY_LIMIT_MS) await sleep(200)
            const fills = vm.log.filter(l => /fill: \d+/.test(l))
            const n = fills.length > 0 ? Number(/fill: (\d+)/.exec(fills[fills.length - 1])![1]) : NaN
            const stats = vm.log.find(l => /^stats:/.test(l)) ?? ""
            pieces.push(n)
            console.log(JSON.stringify({ run: "steady", i, pieces: n, otherObjects: objects(stats) - n, stats }))
        } finally {
            await vm.stop()
        }
    }
    console.log(
        `summary: worst case survived ${survived}/${RUNS} at ${BALLAST} B; steady state fitted ${pieces.join(", ")} pieces of 128 B`,
    )
} finally {
    await broker.close()
}
