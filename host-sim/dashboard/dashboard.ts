/**
 * The dashboard, assembled: the state, the broker link that feeds it, the
 * HTTP server and, in simulator mode, the fault controls. Used by `npm start`
 * (with a Simulation) and by `npm run dashboard` (any broker, no simulator).
 */
import type { BrokerTarget } from "../link/broker-connect.ts"
import type { Simulation } from "../simulation.ts"
import { BrokerLink } from "./broker-link.ts"
import { DashboardServer } from "./server.ts"
import { SimControls } from "./sim-controls.ts"
import { DashboardState } from "./state.ts"

export interface DashboardOptions {
    target: BrokerTarget
    prefix: string
    /** 0: a free port. */
    port: number
    sim?: Simulation
    /** Each action taken on the page (fault controls, period downlinks): the CLI logs them on the terminal. */
    onAction?: (text: string) => void
}

export interface RunningDashboard {
    url: string
    state: DashboardState
    link: BrokerLink
    stop(): Promise<void>
}

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
    const state = new DashboardState(o.prefix, o.target.url)
    // The simulator knows each device's configured period: the dashboard shows it, not the measured jitter.
    for (const d of o.sim?.devices ?? []) {
        const period = Number(d.config.settings.PERIOD_MS)
        if (period > 0) state.configuredPeriod(String(d.config.settings.DEVICE_NAME), period)
    }
    const link = new BrokerLink(
        o.target,
        o.prefix,
        m => state.ingest(m),
        (s, error) => state.setBroker(s, error, Date.now()),
    )
    const server = new DashboardServer({
        port: o.port,
        state,
        link,
        controls: o.sim ? new SimControls(o.sim) : undefined,
        onAction: o.onAction,
    })
    const url = await server.start()
    await link.start()
    return {
        url,
        state,
        link,
        stop: async () => {
            await link.stop()
            await server.stop()
        },
    }
}
