/**
 * `npm run bench:cluster`: the issue-12 scenarios (bench/cluster/scenario.ts)
 * on each real 3-node cluster that can run here, one after the other.
 * Writes bench/cluster.json and bench/cluster.md (the verdict table).
 *
 *   npm run bench:cluster                                  nats, rabbitmq, aedes-redis
 *   npm run bench:cluster -- --kinds nats,aedes-redis --devices 6 --period 1000 --steady 10
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { CLUSTER_KINDS, clusterUnavailable, type ClusterKind } from "../host-sim/brokers/cluster.ts"
import { PROJECT_DIR } from "../host-sim/simulation.ts"
import { runClusterScenario } from "./cluster/scenario.ts"
import { verdictTable, type ClusterOutcome } from "./cluster/table.ts"

const { values } = parseArgs({
    options: {
        kinds: { type: "string", default: CLUSTER_KINDS.join(",") },
        devices: { type: "string", default: "6" },
        period: { type: "string", default: "1000" },
        steady: { type: "string", default: "10" },
    },
    strict: true,
})
const kinds = values.kinds!.split(",") as ClusterKind[]
for (const k of kinds)
    if (!CLUSTER_KINDS.includes(k)) throw new Error(`unknown cluster kind '${k}': ${CLUSTER_KINDS.join(", ")}`)

interface Run {
    at: string
    command: string
    cores: number
    outcome: ClusterOutcome
}

const outcomes: ClusterOutcome[] = []
for (const kind of kinds) {
    const why = clusterUnavailable(kind)
    if (why) {
        console.log(`${kind}: unavailable: ${why}`)
        outcomes.push({ kind, unavailable: why })
        continue
    }
    try {
        const r = await runClusterScenario({
            kind,
            devices: Number(values.devices),
            periodMs: Number(values.period),
            steadyMs: Number(values.steady) * 1000,
            progress: l => console.log(`[${kind}] ${l}`),
        })
        for (const b of r.ledger.lossBoots) console.log(`[${kind}] loss: ${JSON.stringify(b)}`)
        if (r.ledger.lossBoots.length) {
            console.log(`[${kind}] watcher away: ${r.ledger.watcherHoles.join(", ") || "never"}`)
            for (const l of r.ledger.nodeLogs) console.log(`[${kind}] ${l}`)
        }
        outcomes.push(r)
    } catch (e) {
        console.log(`${kind}: failed: ${(e as Error).message}`)
        outcomes.push({ kind, error: (e as Error).message })
    }
}
const command = `npm run bench:cluster -- ${process.argv.slice(2).join(" ")}`.trim()
const at = new Date().toISOString()
// A run of some kinds keeps the last result of the others, each with the command and time of its own run.
const file = join(PROJECT_DIR, "bench", "cluster.json")
const previous: Run[] = existsSync(file)
    ? ((JSON.parse(readFileSync(file, "utf8")) as { runs?: Run[] }).runs ?? [])
    : []
const runs: Run[] = [
    ...previous.filter(r => !kinds.includes(r.outcome.kind as ClusterKind)),
    ...outcomes.map(outcome => ({
        at,
        command,
        cores: cpus().length,
        outcome,
    })),
].sort(
    (a, b) =>
        CLUSTER_KINDS.indexOf(a.outcome.kind as ClusterKind) - CLUSTER_KINDS.indexOf(b.outcome.kind as ClusterKind),
)
writeFileSync(file, JSON.stringify({ runs }, null, 2) + "\n")
const how = runs
    .map(r => `- ${r.outcome.kind}: \`${r.command}\`, ${r.at}, ${r.cores} cores shared with other work`)
    .join("\n")
const md = `# Cluster bench\n\n${how}\n\n${verdictTable(runs.map(r => r.outcome))}\n`
writeFileSync(join(PROJECT_DIR, "bench", "cluster.md"), md)
console.log("\n" + md)
process.exit(0)
