/**
 * The simulator as a library: a broker (embedded or given), N devices each
 * running the firmware bytecode in its own VM with its own simulated sensors
 * (a process per device, or `vmsPerProcess` VMs per process), and an observer.
 * Used by the CLI, the e2e tests and the bench.
 */
import { existsSync } from "node:fs"
import { topicsFor } from "../firmware/telemetry/topics.ts"
import { join } from "node:path"
import { brokerTarget, loginFromSettings, type BrokerTarget } from "./link/broker-connect.ts"
import { startEmbeddedBroker, type RunningBroker } from "./brokers/broker.ts"
import { ChaosProxy } from "./chaos/proxy.ts"
import { deviceName, type DeviceHandle } from "./device/device-handle.ts"
import { DevicePool } from "./device/device-pool.ts"
import { SimDevice } from "./device/sim-device.ts"
import type { SettingValue } from "./device/vm-device.ts"
import { readEnvFiles } from "./cli/env-file.ts"
import { Observer } from "./ledger/observer.ts"
import { connectedBoot, PLANNED_STOP_WAIT_MS, STOPPED_LINE } from "./device/planned-stop.ts"
import { boardProfile, deviceBrokerHost, type BoardId } from "./board/profiles.ts"
import { isRestartScenario, isWifiScenario, scheduleScenario, type AnyScenario } from "./chaos/scenario.ts"
import { ALL_SIM_QUANTITIES } from "./sensors/sim-sensors.ts"
import { TimeResponder } from "./time/time-responder.ts"

export const PROJECT_DIR = join(import.meta.dirname, "..")
/** `npm run build` copies the firmware here: `devs build` of any other entry (the on-VM tests) overwrites bin/. */
export const DEFAULT_BYTECODE = join(PROJECT_DIR, ".devicescript", "firmware.devs")

/** Defined with the command-line options (cli-args.ts); simulation.ts users import it from here too. */
export { DASHBOARD_DIAG_EVERY_MS } from "./cli/cli-args.ts"

/**
 * The proxy a device reaches the broker through when the run has the dashboard's network controls
 * (`chaos`): no fault until one is switched on, its random choices seeded per device. The e2e
 * fault mixes put it in front of their own fault proxy, as a user's run has it.
 */
export async function startDeviceProxy(host: string, port: number, seed: number): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(host.replace(/^\[|\]$/g, ""), port)
    proxy.seed(seed)
    await proxy.start()
    return proxy
}

export interface SimulationOptions {
    /** mqtt://HOST:PORT or mqtts://HOST:PORT of an existing broker; empty: start the embedded one. */
    brokerUrl?: string
    /** A CA file trusted in addition to the system CAs, by the observer and the devices (wins over MQTT_CA_FILE). */
    caFile?: string
    /** Where .env.defaults and .env.local are read (default: the project directory). */
    envDir?: string
    devices?: number
    periodMs?: number
    /** Extra settings for every device (override .env files). */
    settings?: Record<string, SettingValue>
    /** Settings for every device unless the .env files set them. */
    defaultSettings?: Record<string, SettingValue>
    bytecodePath?: string
    sensors?: string[]
    onDeviceLog?: (device: string, line: string) => void
    /** Sensor and Wi-Fi faults applied to every device (see scenario.ts). */
    scenarios?: AnyScenario[]
    /** Board profile of every device (host-sim/board/profiles.ts); absent: the plain simulator. */
    board?: BoardId
    /** Answer the devices' time requests (host-sim/time/time-responder.ts); default true. */
    timeResponder?: boolean
    /**
     * Route each device through its own chaos proxy (chaos/proxy.ts), so that its network can be
     * cut, blackholed or slowed at run time (the dashboard's fault controls). Plain MQTT only: a
     * TLS device must reach the broker under the name on its certificate.
     */
    chaos?: boolean
    /**
     * VMs per device process. 1 (the default): a process per device, so a power cut is a real
     * process kill. More: device-host.ts runs that many VMs in one process (~1 MiB each instead of
     * a Node runtime each), the way to fleets of hundreds (docs/scale.md).
     */
    vmsPerProcess?: number
}

export class Simulation {
    broker?: RunningBroker
    /** The broker, the login and the CA file shared by the observer and every device. */
    target!: BrokerTarget
    url = ""
    readonly devices: DeviceHandle[] = []
    /** The device host processes, with `vmsPerProcess` > 1. */
    readonly pools: DevicePool[] = []
    /** Device name → its chaos proxy (with `chaos` and a plain-MQTT broker). */
    readonly proxies = new Map<string, ChaosProxy>()
    private cancels: (() => void)[] = []
    /** Sees every device log line (the planned stop waits for the firmware's line). */
    private readonly logWatchers = new Set<(device: string, line: string) => void>()
    observer!: Observer
    timeResponder?: TimeResponder
    prefix = "devs"

    constructor(private readonly opts: SimulationOptions = {}) {}

    async start(): Promise<void> {
        const bytecode = this.opts.bytecodePath ?? DEFAULT_BYTECODE
        if (!existsSync(bytecode)) throw new Error(`no firmware bytecode at ${bytecode}: run 'npm run build' first`)
        const envDir = this.opts.envDir ?? PROJECT_DIR
        const env = readEnvFiles(envDir)
        // The devices and the observer log in alike: MQTT_USER/MQTT_PASS of the .env files or the options.
        const login = loginFromSettings({ ...env, ...this.opts.settings }, envDir, this.opts.caFile)
        if (this.opts.brokerUrl) {
            this.target = brokerTarget(this.opts.brokerUrl, login)
        } else {
            this.broker = await startEmbeddedBroker()
            this.target = brokerTarget(this.broker.url, login)
        }
        this.url = this.target.url
        this.prefix = String(this.opts.settings?.TOPIC_PREFIX ?? env.TOPIC_PREFIX ?? "devs")
        this.observer = new Observer(this.target, `${this.prefix}/#`)
        // Fails with the reason (refused, TLS, login, ...) before any device starts.
        await this.observer.start()
        if (this.opts.timeResponder !== false) {
            this.timeResponder = new TimeResponder(this.target, this.prefix)
            await this.timeResponder.start()
        }
        const n = this.opts.devices ?? 1
        for (let i = 1; i <= n; i++) {
            const settings: Record<string, SettingValue> = {
                // The simulator serves temperature, humidity, pressure and light; SENSORS in .env files or options wins.
                SENSORS: "jacdac,jacdac_light",
                ...this.opts.defaultSettings,
                ...env,
                MQTT_HOST: this.target.host,
                MQTT_PORT: this.target.port,
                MQTT_TLS: this.target.tls,
                // The broker above wins over a list in .env.local (a cluster passes its own in opts.settings).
                MQTT_HOSTS: "",
                ...(n > 1 || !env.DEVICE_NAME ? { DEVICE_NAME: `sim${i}` } : {}),
                ...(this.opts.periodMs ? { PERIOD_MS: this.opts.periodMs } : {}),
                ...this.opts.settings,
            }
            const name = String(settings.DEVICE_NAME)
            if (this.opts.chaos && !this.target.tls) {
                const proxy = await startDeviceProxy(this.target.host, this.target.port, i)
                this.proxies.set(name, proxy)
                settings.MQTT_HOST = "127.0.0.1"
                settings.MQTT_PORT = proxy.port
            }
            settings.MQTT_HOST = deviceBrokerHost(boardProfile(this.opts.board), String(settings.MQTT_HOST))
            const config = {
                deviceId: (0xd5e70000 + i).toString(16).padStart(8, "0") + "00c0ffee",
                bytecodePath: bytecode,
                settings,
                sensors: this.opts.sensors ?? ALL_SIM_QUANTITIES,
                seed: i,
                board: this.opts.board,
                // The board socket layer also lets a power cut leave the connection silent.
                wifi: (this.opts.scenarios ?? []).some(s => isWifiScenario(s) || isRestartScenario(s)),
            }
            const onLog = (line: string) => {
                this.opts.onDeviceLog?.(name, line)
                for (const w of this.logWatchers) w(name, line)
            }
            // The VM's TLS sockets are Node's: the same CA file, through NODE_EXTRA_CA_CERTS.
            const caFile = this.target.tls ? this.target.caFile : ""
            const perProcess = this.opts.vmsPerProcess ?? 1
            let dev: DeviceHandle
            if (perProcess > 1) {
                if ((i - 1) % perProcess === 0) this.pools.push(new DevicePool(caFile))
                dev = this.pools[this.pools.length - 1].add(config, onLog)
            } else dev = new SimDevice(config, onLog, caFile)
            this.devices.push(dev)
            dev.start()
            for (const s of this.opts.scenarios ?? []) this.cancels.push(scheduleScenario(s, dev))
        }
    }

    /** The simulated device of that name. */
    device(name: string): DeviceHandle | undefined {
        return this.devices.find(d => deviceName(d) === name)
    }

    /**
     * Ends the run: devices, pools, proxies, observer, time responder, broker. `planned` (the CLI's
     * `--duration` end, Ctrl-C and SIGTERM): the connected devices first stop as planned (offline
     * status, DISCONNECT, no Will; planned-stop.ts); returns the names of those that did.
     */
    async stop(o: { planned?: boolean } = {}): Promise<string[]> {
        for (const c of this.cancels) c()
        const planned = o.planned && this.observer ? await this.stopAsPlanned() : []
        await Promise.all(this.devices.map(d => d.stop()))
        await Promise.all(this.pools.map(p => p.close()))
        await Promise.all([...this.proxies.values()].map(p => p.stop()))
        await this.observer?.stop()
        await this.timeResponder?.stop()
        await this.broker?.close()
        return planned
    }

    /** Asks each connected device to stop (`cmd/stop` naming its boot); resolves with those that did in time. */
    private async stopAsPlanned(): Promise<string[]> {
        const asked = new Map<string, string>()
        for (const d of this.devices) {
            const name = deviceName(d)
            const boot = d.running ? connectedBoot(this.observer.messages, this.prefix, name) : undefined
            if (boot) asked.set(name, boot)
        }
        const stopped = new Set<string>()
        if (!asked.size) return []
        let timer: NodeJS.Timeout | undefined
        let watch = (_device: string, _line: string) => {}
        await new Promise<void>(resolve => {
            timer = setTimeout(resolve, PLANNED_STOP_WAIT_MS)
            watch = (device, line) => {
                if (!asked.has(device) || !STOPPED_LINE.test(line)) return
                stopped.add(device)
                if (stopped.size === asked.size) resolve()
            }
            this.logWatchers.add(watch)
            for (const [name, boot] of asked)
                // A publish that fails (the observer lost the broker) leaves that device to the power-off.
                this.observer.publish(topicsFor(this.prefix, name).stop, boot, 1).catch(() => undefined)
        })
        clearTimeout(timer)
        this.logWatchers.delete(watch)
        return [...stopped]
    }
}
