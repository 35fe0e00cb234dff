/**
 * `npm run bench:cluster`: the issue-12 scenarios (bench/cluster/scenario.ts)
 * on each real 3-node cluster that can run here, one after the other.
 * Writes bench/cluster.json and bench/cluster.md (the verdict table).
 *
 *   npm run bench:cluster                                  nats, rabbitmq, aedes-redis
 *   npm run bench:cluster -- --kinds nats,aedes-redis --devices 6 --period 1000 --steady 10
 */
import { writeFileSync } from "node:fs"
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
for (const k of kinds) if (!CLUSTER_KINDS.includes(k)) throw new Error(`unknown cluster kind '${k}': ${CLUSTER_KINDS.join(", ")}`)

const outcomes: ClusterOutcome[] = []
for (const kind of kinds) {
    const why = clusterUnavailable(kind)
    if (why) {
        console.log(`${kind}: unavailable: ${why}`)
        outcomes.push({ kind, unavailable: why })
        continue
    }
    try {
        outcomes.push(
            await runClusterScenario({
                kind,
                devices: Number(values.devices),
                periodMs: Number(values.period),
                steadyMs: Number(values.steady) * 1000,
                progress: l => console.log(`[${kind}] ${l}`),
            })
        )
    } catch (e) {
        console.log(`${kind}: failed: ${(e as Error).message}`)
        outcomes.push({ kind, error: (e as Error).message })
    }
}
const command = `npm run bench:cluster -- ${process.argv.slice(2).join(" ")}`.trim()
const report = { at: new Date().toISOString(), command, cores: (await import("node:os")).cpus().length, outcomes }
writeFileSync(join(PROJECT_DIR, "bench", "cluster.json"), JSON.stringify(report, null, 2) + "\n")
const md = `# Cluster bench\n\n\`${command}\`, ${report.at}, ${report.cores} cores shared with other work.\n\n${verdictTable(outcomes)}\n`
writeFileSync(join(PROJECT_DIR, "bench", "cluster.md"), md)
console.log("\n" + md)
process.exit(0)
