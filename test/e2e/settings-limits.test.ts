/**
 * The string settings that shape every topic have maxima the device is measured to live with (issue
 * 22): DEVICE_NAME ≤ 48 and TOPIC_PREFIX ≤ 24 characters. Before, a 96-character name with every
 * sensor configured ran out of heap while building the discovery configs (OOM, PANIC 60004, a
 * reboot loop), a 160-character one also tripped the VM's watchdog, and 64 + 32 ran out once in
 * 15 runs under the full suite's load. At the maxima, with every
 * sensor, the device announces all 29 configs and publishes; past them the setting is refused at boot
 * with a warning and the default name is used.
 */
import { describe, expect, test } from "vitest"
import { EVERY_SENSOR } from "../support/every-sensor.ts"
import { checkedRun, useMosquittoRig } from "../support/mosquitto-rig.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { installed } from "../support/required.ts"

describe.skipIf(!installed("mosquitto"))("DEVICE_NAME and TOPIC_PREFIX at and past their maxima", () => {
    const rig = useMosquittoRig("limits", { filter: "#" })

    test.concurrent(
        "a 48-character name under a 24-character prefix with every sensor: all discovery configs, readings, no panic",
        async () => {
            const name = "n".repeat(44) + String(process.pid % 10000).padStart(4, "0")
            const prefix = "p".repeat(24)
            const vm = new VmUnderTest(rig.broker.port, {
                DEVICE_NAME: name,
                TOPIC_PREFIX: prefix,
                SENSORS: EVERY_SENSOR,
            }).start()
            await checkedRun(vm, async () => {
                await vm.waitForLine(/discovery: \d+ Home Assistant configs published/, 60_000)
                // Every config reaches the broker (the log line says they were queued).
                const node = `homeassistant/sensor/devs_${vm.device.config.deviceId}/`
                const configs = () =>
                    new Set(
                        rig.observer.messages
                            .filter(m => m.topic.startsWith(node) && m.payload.length)
                            .map(m => m.topic),
                    ).size
                await within(
                    rig.observer.waitFor(() => configs() >= 29, 30_000),
                    30_000,
                    "29 discovery configs",
                )
                expect(configs()).toBe(29)
                const reading = (seq: number) =>
                    rig.observer.waitFor(
                        m => m.topic === `${prefix}/${name}/telemetry` && JSON.parse(m.payload.toString()).seq >= seq,
                        60_000,
                    )
                await within(reading(5), 60_000, "reading 5")
                expect(vm.log.filter(l => /^> config:/.test(l))).toHaveLength(1)
            })
        },
    )

    test.concurrent(
        "a 49-character name is refused at boot with a warning; the device runs under its default name",
        async () => {
            const vm = new VmUnderTest(rig.broker.port, { DEVICE_NAME: "x".repeat(49), SENSORS: EVERY_SENSOR }).start()
            await checkedRun(vm, async () => {
                const warning = await vm.waitForLine(/DEVICE_NAME=/, 30_000)
                expect(warning).toMatch(/is not a topic level of 1\.\.48 characters; using 'devs[0-9a-f]{12}'/)
                const fallback = /using '(devs[0-9a-f]{12})'/.exec(warning)![1]
                await within(
                    rig.observer.waitFor(m => m.topic === `devs/${fallback}/telemetry`, 30_000),
                    30_000,
                    "readings under the default name",
                )
            })
        },
    )
})
