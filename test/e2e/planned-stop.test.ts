/**
 * A planned stop is not a power cut (issue 22, C79): the simulator's `--duration` end and Ctrl-C stop each
 * connected device through the firmware (host-sim/device/planned-stop.ts → `cmd/stop` naming its boot →
 * firmware/telemetry/commands.ts): retained `offline`, DISCONNECT, so Mosquitto publishes no
 * Will. `cmd/reboot` is the same stop followed by a reset; a stop or reboot that names another boot,
 * or arrives retained, is refused on the log topic (a queued or redelivered command must not stop
 * every later boot). The CLI runs as a user's `npm start` does: dashboard and its proxy on.
 */
import { describe, expect, test } from "vitest"
import type { RunningMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import { CliProcess } from "../../host-sim/cli/cli-process.ts"
import { checkedRun, retainedStatus, useMosquittoRig } from "../support/mosquitto-rig.ts"
import { seqAtLeast } from "../support/telemetry.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

/** Mosquitto's own words for how each connection of `client` ended. */
function endings(broker: RunningMosquitto, client: string): string[] {
    const re = new RegExp(`Client ${client} (disconnected|closed its connection|has exceeded timeout)`, "g")
    return [...broker.log().matchAll(re)].map(m => m[1])
}

describe.skipIf(!installed("mosquitto"))("a planned stop sends DISCONNECT, a power cut does not", () => {
    const rig = useMosquittoRig("planned-stop", { filter: "#" })

    async function cliRun(name: string, args: string[], end: (cli: CliProcess) => Promise<void>) {
        const before = endings(rig.broker, name).length
        const cli = new CliProcess(
            "host-sim/cli.ts",
            ["--broker", rig.broker.url, "--view", "lines", "--period", "1000", ...args],
            PROJECT_DIR,
        )
        try {
            // DEVICE_NAME from the environment would not reach the device: the run names it sim1.
            await cli.waitFor(/sim1 +#2 /, 90_000)
            await end(cli)
            expect(await within(cli.exited, 30_000, `the simulator to exit:\n${cli.output}`)).toBe(0)
        } finally {
            await cli.stop()
        }
        expect(cli.output).toMatch(/1 stopped as planned \(offline status, DISCONNECT\): sim1/)
        expect(cli.output).toMatch(/power: planned stop/)
        expect(cli.output).not.toMatch(/PANIC|Exception/)
        // The broker saw DISCONNECT: no Will for this connection.
        expect(endings(rig.broker, name).slice(before)).toEqual(["disconnected"])
        expect(await retainedStatus(rig.broker.url, name)).toBe("offline")
    }

    test("--duration ends with each connected device's DISCONNECT", async () => {
        await cliRun("sim1", ["--duration", "12"], async () => {})
    })

    test("Ctrl-C ends with each connected device's DISCONNECT", async () => {
        await cliRun("sim1", [], async cli => {
            cli.child.kill("SIGINT")
        })
    })

    test("cmd/reboot naming this boot: DISCONNECT, then a new boot; one naming another boot, or an unknown command, is answered on log", async () => {
        const vm = new VmUnderTest(rig.broker.port, {}, undefined, undefined, "", { board: "picow" }).start()
        await checkedRun(vm, async () => {
            await seqAtLeast(rig.observer, vm.name, 2, 60_000)
            const reading = rig.observer.messages.find(m => m.topic === `devs/${vm.name}/telemetry`)!
            const boot = (JSON.parse(reading.payload.toString()) as { boot: string }).boot
            const reboot = `devs/${vm.name}/cmd/reboot`
            await rig.observer.publish(reboot, "000000000000", 1)
            await rig.observer.waitFor(
                m => m.topic === `devs/${vm.name}/log` && /cmd\/reboot ignored/.test(m.payload.toString()),
                10_000,
                "the refusal of another boot's reboot on the log topic",
            )
            await rig.observer.publish(`devs/${vm.name}/cmd/selfdestruct`, boot, 1)
            await rig.observer.waitFor(
                m => m.topic === `devs/${vm.name}/log` && /unknown command .*selfdestruct/.test(m.payload.toString()),
                10_000,
                "the answer to an unknown command",
            )
            expect(vm.log.filter(l => /power: planned/.test(l))).toEqual([])
            expect(endings(rig.broker, vm.name)).toEqual([])

            const t0 = Date.now()
            await rig.observer.publish(reboot, boot, 1)
            await vm.waitForLine(/power: planned reboot/, 10_000)
            // A new boot publishes: a new boot id, seq from 1.
            const next = await rig.observer.waitFor(
                m =>
                    m.topic === `devs/${vm.name}/telemetry` &&
                    m.atMs > t0 &&
                    (JSON.parse(m.payload.toString()) as { boot: string }).boot !== boot,
                60_000,
                "a reading of the next boot",
            )
            expect((JSON.parse(next.payload.toString()) as { seq: number }).seq).toBe(1)
            expect(endings(rig.broker, vm.name)).toEqual(["disconnected"])
        })
    })
})
