/**
 * `npm run bench`: one run, one broker (Mosquitto when installed, otherwise
 * aedes), a fixed workload of small JSON telemetry publishes, delivery counted
 * by an independent MQTT.js subscriber. Ratios are within this run only.
 *
 *   npm run bench               full run (about 15 minutes here; results.md states each run's duration)
 *   npm run bench -- --smoke    a short run that only proves the bench still works
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { join } from "node:path"
import { BrokerConnectError } from "../host-sim/link/broker-failure.ts"
import { startEmbeddedBroker } from "../host-sim/brokers/broker.ts"
import { buildFirmware } from "../host-sim/device/build-firmware.ts"
import { mosquittoPath, startMosquitto } from "../host-sim/brokers/mosquitto.ts"
import { PROJECT_DIR } from "../host-sim/simulation.ts"
import { heapHeadroom } from "./heap-headroom.ts"
import { recoveryAfter } from "./recovery.ts"
import { scaleSection } from "./scale.ts"
import { stepMargin } from "./step-margin.ts"
import { fleet, latency, restartToDelivery, runMqttJs, runVm, type RunResult } from "./throughput.ts"
import { durationText, outageSection, rateCell } from "./report-parts.ts"
import { SESSION_DEFAULTS } from "../firmware/mqtt/session.ts"

const SMOKE = process.argv.includes("--smoke")
/** Use the bytecode already built by the test setup (builds share .devicescript/bin and must not overlap). */
const PREBUILT = process.argv.includes("--prebuilt")
const N = SMOKE ? 200 : 2000
const LATENCY_N = SMOKE ? 20 : 200
const OUT_DIR = join(PROJECT_DIR, "bench")

export function buildBenchFirmwares() {
    return {
        burst: buildFirmware("test/firmware/burst.ts", "bench-ours.devs"),
        stock: buildFirmware("bench/firmware/stock-burst.ts", "bench-stock.devs"),
        raw: buildFirmware("bench/firmware/raw-burst.ts", "bench-raw.devs"),
        sizeOurs: buildFirmware("bench/firmware/size-ours.ts", "size-ours.devs"),
        sizeStock: buildFirmware("bench/firmware/size-stock.ts", "size-stock.devs"),
        heapProbe: buildFirmware("bench/firmware/heap-probe.ts", "heap-probe.devs"),
        stepsProbe: buildFirmware("bench/firmware/steps-probe.ts", "steps-probe.devs"),
    }
}

function prebuilt() {
    const f = (n: string) => join(PROJECT_DIR, ".devicescript", n)
    return {
        burst: f("bench-ours.devs"),
        stock: f("bench-stock.devs"),
        raw: f("bench-raw.devs"),
        sizeOurs: f("size-ours.devs"),
        sizeStock: f("size-stock.devs"),
        heapProbe: f("heap-probe.devs"),
        stepsProbe: f("steps-probe.devs"),
    }
}

function fmt(x: number, d = 0) {
    return Number.isFinite(x) ? x.toFixed(d) : "-"
}

async function main() {
    const started = Date.now()
    const fw = PREBUILT ? prebuilt() : buildBenchFirmwares()
    const { burst, stock, raw } = fw
    const sizeOurs = statSync(fw.sizeOurs).size
    const sizeStock = statSync(fw.sizeStock).size

    const useMosquitto = mosquittoPath() !== null
    // Unbounded per-client queues: with Mosquitto's defaults (1000 queued, 20 in flight) the *subscriber's* queue
    // overflows during the fastest bursts and the count would measure the broker, not the publisher.
    const broker = useMosquitto
        ? await startMosquitto({ extraConfig: ["max_queued_messages 0", "max_inflight_messages 0"] })
        : await startEmbeddedBroker()
    const runs: RunResult[] = []
    try {
        for (const qos of [0, 1]) {
            runs.push(await runVm(broker, "ours", burst, qos, N))
            runs.push(await runVm(broker, "stock", stock, qos, N))
            runs.push({ ...(await runVm(broker, "stock", stock, qos, N, { BURST_YIELD: 1 })), client: "stock+yield" })
            runs.push(await runMqttJs(broker, qos as 0 | 1, N))
        }
        runs.push(await runVm(broker, "raw", raw, 0, N))
        const lat = await latency(broker, burst, LATENCY_N)
        const restart = await restartToDelivery(broker, burst)
        const fl = await fleet(broker, SMOKE)
        const scale = await scaleSection(broker, SMOKE)
        const steps = await stepMargin(fw.stepsProbe, SMOKE ? 128 : 1024)
        // The full worst case takes a bisection of ~35 s runs; the smoke run checks the target ballast once.
        const heap = SMOKE
            ? { heap_headroom_bytes: NaN, runs: [] }
            : await heapHeadroom(broker, fw.heapProbe, SESSION_DEFAULTS.maxInboundBytes)
        const recovery = []
        for (const s of SMOKE ? [] : [10, 60, 300]) recovery.push(await recoveryAfter(broker, s, 10))

        const get = (c: string, q: number) => runs.find(r => r.client === c && r.qos === q)
        const ours1 = get("ours", 1)!
        const ours0 = get("ours", 0)!
        const results = {
            machine: {
                cpus: cpus().length,
                cpu: cpus()[0]?.model ?? "?",
                mem_gib: Math.round(totalmem() / 2 ** 30),
                node: process.version,
            },
            date: new Date().toISOString(),
            versions: {
                devicescript_cli: "2.16.4",
                broker: useMosquitto ? "mosquitto (Debian)" : "aedes",
                mqttjs: JSON.parse(readFileSync(join(PROJECT_DIR, "node_modules/mqtt/package.json"), "utf8")).version,
            },
            smoke: SMOKE,
            messages: N,
            runs: runs.map(r => ({
                client: r.client,
                qos: r.qos,
                sent: r.sent,
                delivered: r.delivered,
                per_s: Number(fmt(r.perS, 1)),
                completed: r.completed,
                panics: r.panics,
                writes_per_packet: r.wire?.writesPerPacket,
                wire_ratio: r.wire?.wireRatio,
                note: r.note,
            })),
            ours: { qos0_per_s: ours0.perS, qos1_per_s: ours1.perS },
            stock: {
                qos0_per_s: get("stock", 0)!.perS,
                qos1_per_s: get("stock", 1)!.perS,
                qos1_delivered: get("stock", 1)!.delivered,
                qos1_yield_per_s: get("stock+yield", 1)!.perS,
            },
            mqttjs: { qos0_per_s: get("mqttjs", 0)!.perS, qos1_per_s: get("mqttjs", 1)!.perS },
            raw: { qos0_per_s: get("raw", 0)!.perS },
            ratios: {
                ours_stock_qos1: ours1.perS / (get("stock", 1)!.perS || NaN),
                ours_stock_yield_qos1: ours1.perS / (get("stock+yield", 1)!.perS || NaN),
                ours_mqttjs_qos1: ours1.perS / get("mqttjs", 1)!.perS,
                ours_raw_qos0: ours0.perS / get("raw", 0)!.perS,
                ours_qos1_raw_qos0: ours1.perS / get("raw", 0)!.perS,
            },
            wire_ratio: ours1.wire?.wireRatio,
            writes_per_packet: ours1.wire?.writesPerPacket,
            latency_10_per_s: lat,
            restart_to_delivery: restart,
            bytecode: { ours_bytes: sizeOurs, stock_bytes: sizeStock, ratio: sizeOurs / sizeStock },
            fleet_1_per_s: fl,
            scale,
            heap_headroom_bytes: heap.heap_headroom_bytes,
            heap_runs: heap.runs,
            step_margin: steps.step_margin,
            steps,
            recovery,
            ratios_target: { ours_raw_qos0: 0.5, ours_qos1_raw_qos0: 0.25, heap_headroom_bytes: 8192, step_margin: 4 },
            duration_s: Math.round((Date.now() - started) / 1000),
        }
        const table = [
            `| client | QoS | sent | delivered | msgs/s | writes/packet | wire ratio | note |`,
            `| --- | --- | --- | --- | --- | --- | --- | --- |`,
            ...runs.map(
                r =>
                    `| ${r.client} | ${r.qos} | ${r.sent} | ${r.delivered} | ${rateCell(r.perS)} | ${r.wire ? fmt(r.wire.writesPerPacket, 2) : "-"} | ${r.wire ? fmt(r.wire.wireRatio, 2) : "-"} | ${r.note} |`,
            ),
        ].join("\n")
        const md = `# Benchmark results

Command: \`npm run bench${SMOKE ? " -- --smoke" : ""}\` — ${results.date}, ${results.machine.cpus} × ${results.machine.cpu}, Node ${results.machine.node},
broker: ${results.versions.broker}, ${N} messages of \`{"seq":N}\` per run; the run took ${durationText(results.duration_s)}.

${table}

| ratio | value |
| --- | --- |
| ours / stock, QoS 1 | ${fmt(results.ratios.ours_stock_qos1, 1)} (stock with yields: ${fmt(results.ratios.ours_stock_yield_qos1, 1)}) |
| ours / MQTT.js, QoS 1 | ${fmt(results.ratios.ours_mqttjs_qos1, 2)} |
| ours / raw, QoS 0 | ${fmt(results.ratios.ours_raw_qos0, 2)} (target ≥ 0.5) |
| ours QoS 1 / raw QoS 0 | ${fmt(results.ratios.ours_qos1_raw_qos0, 2)} (target ≥ 0.25) |

| margin | value |
| --- | --- |
| heap headroom at the worst case (\`heap_headroom_bytes\`) | ${SMOKE ? "not measured in the smoke run" : `${heap.heap_headroom_bytes} B`} (target ≥ 8192) |
| step margin (\`step_margin\`) | ${fmt(steps.step_margin, 1)} × (${steps.cycles_per_run} message life cycles fit one fiber run; loops yield every ${steps.slice_items}) (target ≥ 4) |

${outageSection(recovery, SMOKE)}

* Wire: ${fmt(results.wire_ratio ?? NaN, 2)} × the minimal PUBLISH encoding, ${fmt(results.writes_per_packet ?? NaN, 2)} socket writes per packet (ours, QoS 1).
* Latency at a steady 10 msg/s (VM socket write → subscriber): p50 ${fmt(lat.p50_ms, 1)} ms, p99 ${fmt(lat.p99_ms, 1)} ms (${lat.samples} samples).
* Broker restart → first delivery: ${restart.ms} ms (the device's drawn backoff: ${restart.backoff_drawn_ms} ms).
* Bytecode of a minimal connect-and-publish program: ours ${sizeOurs} B, stock ${sizeStock} B (${fmt(results.bytecode.ratio, 2)} ×).
* Devices sustained at 1 msg/s each: ${fl.sustained} (tried: ${fl.tried.map(t => `${t.devices} → min ${t.min_rate}/s`).join(", ")}).

Devices per core at 1 reading/s (\`scale\`, docs/scale.md): devices / CPU cores their processes used in the window.

| kind | devices | per process | window | min / mean readings/s | CPU cores | devices per core | memory | VM tick CPU | loop delay p99 | broker CPU | missing / unexplained / panics | sustained |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${scale.real.map(r => `| real bytecode | ${r.devices} | ${r.per_process} | ${r.window_s} s | ${r.min_rate} / ${r.mean_rate} | ${r.cpu_cores} | ${r.devices_per_core} | ${r.rss_mib_per_vm} MiB per VM (+ ${r.empty_host_rss_mib} MiB per process) | ${r.vm_tick_ms_per_vm_s} ms per VM-s (${fmt((r.vm_tick_share ?? NaN) * 100)} % of the CPU) | ${r.loop_delay_p99_ms} ms | ${r.broker_cpu_cores ?? "-"} | ${r.missing} / ${r.unexplained} / ${r.panics} | ${r.sustained ? "yes" : "no"} |`).join("\n")}
| synthetic | ${scale.synthetic.devices} | ${scale.synthetic.per_process} | ${scale.synthetic.window_s} s | ${scale.synthetic.min_rate} / ${scale.synthetic.mean_rate} (published ${scale.synthetic.published_rate}) | ${scale.synthetic.cpu_cores} | ${scale.synthetic.devices_per_core} | ${scale.synthetic.kib_per_device} KiB per device | - | - | ${scale.synthetic.broker_cpu_cores ?? "-"} | ${scale.synthetic.missing} / - / - | ${scale.synthetic.sustained ? "yes" : "no"} |
`
        mkdirSync(OUT_DIR, { recursive: true })
        const suffix = SMOKE ? ".smoke" : ""
        writeFileSync(join(OUT_DIR, `results${suffix}.json`), JSON.stringify(results, null, 2) + "\n")
        writeFileSync(join(OUT_DIR, `results${suffix}.md`), md)
        console.log(md)
    } finally {
        await broker.close()
    }
}

if (process.argv[1]?.endsWith("run.ts"))
    main().then(
        () => process.exit(0),
        e => {
            // A broker that cannot be reached is a reason, not a bug: one line.
            console.error(`bench failed: ${e instanceof BrokerConnectError ? e.message : ((e as Error).stack ?? e)}`)
            process.exit(1)
        },
    )
