/**
 * What the dashboard page does is also said on the terminal (issue 28): each fault control, a refused
 * one, and each period downlink reach the server's `onAction`, in the words of its event.
 */
import { afterAll, beforeAll, expect, test } from "vitest"
import type { BrokerLink } from "../../../host-sim/dashboard/broker-link.ts"
import { DashboardServer } from "../../../host-sim/dashboard/server.ts"
import type { Control, SimControls } from "../../../host-sim/dashboard/sim-controls.ts"
import { DashboardState } from "../../../host-sim/dashboard/state.ts"

const actions: string[] = []
const published: string[] = []
const controls = {
    view: () => ({}),
    apply: async (c: Control) => {
        if (c.device !== "sim1") throw new Error(`no device ${c.device}`)
        return "sim1 rebooted (planned stop, then a fresh boot)"
    },
} as unknown as SimControls
const link = { publish: async (topic: string) => void published.push(topic) } as unknown as BrokerLink
const server = new DashboardServer({
    port: 0,
    state: new DashboardState("devs", "mqtt://x:1"),
    link,
    controls,
    onAction: t => actions.push(t),
})
let url = ""

beforeAll(async () => {
    url = await server.start()
})
afterAll(async () => {
    await server.stop()
})

const post = (path: string, b: object) =>
    fetch(new URL(path, url), {
        method: "POST",
        body: JSON.stringify(b),
        headers: { "content-type": "application/json" },
    })

test("a fault control, a refused one and a period downlink taken on the page are each reported once", async () => {
    await post("/api/control", { action: "reboot", device: "sim1" })
    await post("/api/control", { action: "reboot", device: "nope" })
    await post("/api/period", { device: "sim1", periodMs: "2000" })
    expect(actions).toEqual([
        "sim1 rebooted (planned stop, then a fresh boot)",
        "control refused: no device nope",
        "period downlink: sent 2000 to devs/sim1/set/period_ms",
    ])
    expect(published).toEqual(["devs/sim1/set/period_ms"])
})
