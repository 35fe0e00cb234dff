/**
 * The fleet at scale, against a private Mosquitto (not part of `npm test`; `npm run test:interop`):
 * 200 real-bytecode devices at 1 reading/s in two device host processes for 3 minutes — every device
 * delivers, the loss ledger explains every gap (there should be none), no device log holds a PANIC or
 * an Exception — and 5,000 synthetic devices on the same broker, every one connected and publishing;
 * then both at once.
 * The figures (devices per core, memory per VM) are `npm run bench`'s; here only the behaviour.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { startMosquitto, type RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { hardNofile } from "../../host-sim/synthetic/synthetic-fleet.ts"
import { realBesideSynthetic, realDevicesRun, syntheticRun } from "../../bench/scale.ts"
import { installed } from "../support/required.ts"

const SYNTHETIC = 5000
const PER_PROCESS = 2500

describe.skipIf(!installed("mosquitto"))(
    "hundreds of real devices and thousands of synthetic ones on one broker",
    () => {
        let broker: RunningMosquitto

        beforeAll(async () => {
            // Unbounded queues: the subscriber that counts must not be what drops a reading.
            broker = await startMosquitto({ extraConfig: ["max_queued_messages 0", "max_inflight_messages 0"] })
        })
        afterAll(async () => {
            await broker?.close()
        })

        test("200 real-bytecode devices in two processes for 3 minutes: every device delivers, no unexplained loss, no panic", async () => {
            const r = await realDevicesRun(broker, { devices: 200, perProcess: 100, windowS: 180 })
            console.log(`scale: ${JSON.stringify(r)}`)
            expect(r.bad_lines).toEqual([])
            expect(r.processes).toBe(2)
            expect(r.unexplained).toBe(0)
            expect(r.min_rate).toBeGreaterThan(0.5)
        }, 900_000)

        test.skipIf(hardNofile() < PER_PROCESS + 256)(
            `${SYNTHETIC} synthetic devices connect and every one publishes`,
            async () => {
                const r = await syntheticRun(broker, { devices: SYNTHETIC, perProcess: PER_PROCESS, windowS: 60 })
                console.log(`scale: ${JSON.stringify(r)}`)
                expect(r.connected).toBe(SYNTHETIC)
                expect(r.missing).toBe(0)
                expect(r.min_rate).toBeGreaterThan(0)
            },
            900_000,
        )

        test.skipIf(hardNofile() < PER_PROCESS + 256)(
            `200 real-bytecode devices beside ${SYNTHETIC} synthetic connections: the same, and the synthetic ones stay connected`,
            async () => {
                const r = await realBesideSynthetic(
                    broker,
                    { devices: 200, perProcess: 100, windowS: 60 },
                    { devices: SYNTHETIC, perProcess: PER_PROCESS },
                )
                console.log(`scale: ${JSON.stringify(r)}`)
                expect(r.bad_lines).toEqual([])
                expect(r.unexplained).toBe(0)
                expect(r.min_rate).toBeGreaterThan(0.5)
                expect(r.synthetic_connected_before).toBe(SYNTHETIC)
                expect(r.synthetic_connected_after).toBe(SYNTHETIC)
            },
            900_000,
        )
    },
)
