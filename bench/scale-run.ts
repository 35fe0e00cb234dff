/**
 * One scale run of one size against a private Mosquitto, printed as JSON (bench/scale.ts):
 *
 *   npx tsx bench/scale-run.ts real DEVICES VMS_PER_PROCESS WINDOW_S
 *   npx tsx bench/scale-run.ts synthetic DEVICES PER_PROCESS WINDOW_S
 *   npx tsx bench/scale-run.ts beside                                     200 real (2 x 100) beside 5,000 synthetic, 60 s
 */
import { startMosquitto } from "../host-sim/brokers/mosquitto.ts"
import { realBesideSynthetic, realDevicesRun, syntheticRun } from "./scale.ts"

const [kind, n, per, win] = process.argv.slice(2)
const num = (v: string | undefined, name: string) => {
    const x = Number(v)
    if (!Number.isInteger(x) || x <= 0) throw new Error(`${name} needs a positive integer, got '${v ?? ""}'`)
    return x
}

async function main() {
    if (!["real", "synthetic", "beside"].includes(kind))
        throw new Error("usage: scale-run.ts real|synthetic DEVICES PER_PROCESS WINDOW_S, or scale-run.ts beside")
    // Unbounded queues: the subscriber that counts must not be what drops a reading.
    const broker = await startMosquitto({ extraConfig: ["max_queued_messages 0", "max_inflight_messages 0"] })
    try {
        const r =
            kind === "beside"
                ? await realBesideSynthetic(
                      broker,
                      { devices: 200, perProcess: 100, windowS: 60 },
                      { devices: 5000, perProcess: 2500 },
                  )
                : kind === "real"
                  ? await realDevicesRun(broker, {
                        devices: num(n, "DEVICES"),
                        perProcess: num(per, "PER_PROCESS"),
                        windowS: num(win, "WINDOW_S"),
                    })
                  : await syntheticRun(broker, {
                        devices: num(n, "DEVICES"),
                        perProcess: num(per, "PER_PROCESS"),
                        windowS: num(win, "WINDOW_S"),
                    })
        console.log(JSON.stringify(r, null, 2))
    } finally {
        await broker.close()
    }
}

main().then(
    () => process.exit(0),
    e => {
        console.error(`scale-run: ${(e as Error).message}`)
        process.exit(1)
    },
)
