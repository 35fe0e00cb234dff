/**
 * The dashboard's fault controls in simulator mode. Each drives something that
 * already exists: the device's chaos proxy (../chaos/proxy.ts) for its
 * network, the embedded broker's restart(), the device process (a reboot is a
 * stop and a fresh start, a power cut is SIGKILL: no DISCONNECT, so the broker
 * publishes the Will) and the simulated sensors (fail: the chip leaves the bus,
 * stuck: its value freezes).
 */
import type { SensorMode } from "../sensors/sim-sensors.ts"
import type { Simulation } from "../simulation.ts"

export const NETWORK_FAULTS = ["ok", "cut", "blackhole", "slow"] as const
export type NetworkFault = (typeof NETWORK_FAULTS)[number]

/** The slow link: a poor cellular uplink (latency ± jitter per chunk, bytes per second each way). */
export const SLOW_LINK = { latencyMs: 1500, jitterMs: 500, bandwidthBps: 2000 }

export interface Control {
    action: "network" | "broker-restart" | "reboot" | "power-cut" | "power-on" | "sensor"
    device?: string
    fault?: string
    sensor?: string
    mode?: string
}

export interface DeviceControls {
    name: string
    network: NetworkFault | null
    power: "on" | "off"
    sensors: Record<string, SensorMode>
}

export interface ControlsView {
    network: boolean
    /** Why the network controls are off, if they are. */
    networkNote: string
    brokerRestart: boolean
    devices: DeviceControls[]
}

export class SimControls {
    private readonly network = new Map<string, NetworkFault>()
    private readonly power = new Map<string, "on" | "off">()
    private readonly sensors = new Map<string, Record<string, SensorMode>>()

    constructor(private readonly sim: Simulation) {}

    view(): ControlsView {
        return {
            network: this.sim.proxies.size > 0,
            networkNote:
                this.sim.proxies.size > 0
                    ? ""
                    : "network faults need a plain mqtt:// broker (each device goes through a proxy)",
            brokerRestart: !!this.sim.broker,
            devices: this.sim.devices.map(d => {
                const name = String(d.config.settings.DEVICE_NAME)
                return {
                    name,
                    network: this.sim.proxies.has(name) ? (this.network.get(name) ?? "ok") : null,
                    power: this.power.get(name) ?? "on",
                    sensors: {
                        ...Object.fromEntries(d.config.sensors.map(s => [s, "ok" as SensorMode])),
                        ...this.sensors.get(name),
                    },
                }
            }),
        }
    }

    /** Applies a control; resolves with what happened, in words; rejects with a one-line reason. */
    async apply(c: Control): Promise<string> {
        if (c.action === "broker-restart") {
            if (!this.sim.broker) throw new Error("only the embedded broker can be restarted from here")
            await this.sim.broker.restart()
            return "broker restarted (every connection dropped; sessions kept)"
        }
        const name = String(c.device ?? "")
        const dev = this.sim.device(name)
        if (!dev) throw new Error(`no simulated device '${name}'`)
        switch (c.action) {
            case "network":
                return this.setNetwork(name, c.fault)
            case "reboot":
                await dev.stop()
                dev.start()
                this.power.set(name, "on")
                this.reapplySensors(name)
                return `${name} rebooted (planned stop, then a fresh boot)`
            case "power-cut":
                await dev.kill()
                this.power.set(name, "off")
                return `${name} power cut: the VM is gone without a DISCONNECT, the broker publishes its Will`
            case "power-on":
                if (dev.running) throw new Error(`${name} is already on`)
                dev.start()
                this.power.set(name, "on")
                this.reapplySensors(name)
                return `${name} powered on`
            case "sensor": {
                const sensor = String(c.sensor ?? "")
                const mode = c.mode as SensorMode
                if (!dev.config.sensors.includes(sensor))
                    throw new Error(`${name} has no sensor '${sensor}' (it has ${dev.config.sensors.join(", ")})`)
                if (mode !== "ok" && mode !== "fail" && mode !== "stuck")
                    throw new Error(`sensor mode is ok, fail or stuck, got '${c.mode}'`)
                dev.setSensorMode(sensor, mode)
                this.sensors.set(name, { ...this.sensors.get(name), [sensor]: mode })
                return `${name}: sensor ${sensor} ${mode === "fail" ? "fails (leaves the bus)" : mode === "stuck" ? "freezes" : "back to normal"}`
            }
        }
        throw new Error(`unknown control '${String(c.action)}'`)
    }

    private setNetwork(name: string, fault: string | undefined): string {
        const proxy = this.sim.proxies.get(name)
        if (!proxy) throw new Error("network faults need a plain mqtt:// broker (the devices go through a proxy)")
        if (!(NETWORK_FAULTS as readonly string[]).includes(fault ?? ""))
            throw new Error(`network fault is one of ${NETWORK_FAULTS.join(", ")}, got '${fault}'`)
        proxy.refuse = fault === "cut"
        proxy.blackhole = fault === "blackhole" ? "both" : "none"
        const slow = fault === "slow" ? SLOW_LINK : { latencyMs: 0, jitterMs: 0, bandwidthBps: 0 }
        Object.assign(proxy, slow)
        this.network.set(name, fault as NetworkFault)
        switch (fault) {
            case "cut":
                // The live connection is reset too: the broker sees it go and publishes the Will.
                proxy.reset()
                return `${name}: network cut (connection reset, new ones refused)`
            case "blackhole":
                return `${name}: network blackholed (nothing passes, the sockets stay open: keepalive must notice)`
            case "slow":
                return `${name}: slow link (${SLOW_LINK.latencyMs} ± ${SLOW_LINK.jitterMs} ms, ${SLOW_LINK.bandwidthBps} B/s each way)`
        }
        return `${name}: network restored`
    }

    private reapplySensors(name: string) {
        const dev = this.sim.device(name)!
        for (const [sensor, mode] of Object.entries(this.sensors.get(name) ?? {}))
            if (mode !== "ok") dev.setSensorMode(sensor, mode)
    }
}
