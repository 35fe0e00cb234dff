/**
 * The host side's one topic table (host-sim/ledger/topic-table.ts) is the firmware's list: every topic of
 * `topicsFor` is recognised by the terminal view and the ledger behind `verify`, with its device.
 */
import { expect, test } from "vitest"
import { topicsFor } from "../../firmware/telemetry/topics.ts"
import { formatMessage } from "../../host-sim/cli/live-view.ts"
import { deviceTopic } from "../../host-sim/ledger/topic-table.ts"

const topics = Object.entries(topicsFor("devs", "sim1"))

test.each(topics)("%s (%s) is a topic of device sim1", (key, topic) => {
    expect(deviceTopic(topic, "devs")).toEqual({ device: "sim1", kind: key })
    expect(deviceTopic(topic, "other")).toBeNull()
})

test("the terminal view names the device and the kind of every topic of the list, not an unknown one", () => {
    for (const [key, topic] of topics) {
        const line = formatMessage({ topic, payload: Buffer.from("1"), retain: false, qos: 0, atMs: 0 }, "devs")
        // A reading is shown by its values; every other kind by its topic below the device.
        expect(line).toContain(key === "telemetry" ? "sim1  #" : `sim1  ${topic.slice("devs/sim1/".length)}`)
        expect(line).not.toContain("unknown topic")
    }
})

test("a topic outside the list is unknown, and named in full in the terminal view", () => {
    expect(deviceTopic("devs/sim1/telemetry/extra", "devs")).toBeNull()
    expect(deviceTopic("devs/telemetry", "devs")).toBeNull()
    const line = formatMessage({ topic: "devs/sim1/x", payload: Buffer.from("1"), retain: false, qos: 0, atMs: 0 })
    expect(line).toContain("unknown topic devs/sim1/x")
})
