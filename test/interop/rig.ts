/**
 * One broker under test with what every scenario needs around it: the
 * fault-injection proxy the device connects through, an independent observer
 * with a persistent session (clean=0, fixed id, so a broker restart does not
 * lose its copy), and fresh VMs running the firmware bytecode.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import type { SettingValue } from "../../host-sim/device/vm-device.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import type { InteropBroker } from "./brokers.ts"
import { PARTS_DIR } from "./report.ts"

/** Every scenario's device logs, for the post-mortem of a failed row. */
export const LOG_DIR = join(PARTS_DIR, "..", "interop-logs")

/**
 * Settings of every interop VM: no Home Assistant discovery (the queue then
 * holds telemetry only), diagnostics every 2 s (the drop counters), fast
 * reconnects. Scenarios override what they test.
 */
export const BASE_SETTINGS: Record<string, SettingValue> = {
    HA_DISCOVERY: false,
    DIAG_EVERY_MS: 2000,
    PERIOD_MS: 200,
    KEEPALIVE_S: 30,
    RETRY_BASE_MS: 100,
    RETRY_CAP_MS: 400,
}

export class Rig {
    readonly proxies: ChaosProxy[] = []
    readonly vms: VmUnderTest[] = []
    proxy!: ChaosProxy
    observer!: Observer
    /** Names the saved device logs. */
    scenario = ""

    constructor(readonly b: InteropBroker) {}

    get kind(): string {
        return this.b.kind
    }

    async start(): Promise<void> {
        this.proxy = await this.newProxy()
        this.observer = new Observer(this.b.broker.url, "devs/#", `interopobs${this.kind}${process.pid}`)
        await this.observer.start(15_000)
    }

    /** Another proxy to the same broker (S8/S9 run several devices side by side). */
    async newProxy(seed = 1): Promise<ChaosProxy> {
        const p = new ChaosProxy("127.0.0.1", this.b.broker.port)
        p.seed(seed)
        await p.start()
        this.proxies.push(p)
        return p
    }

    vm(settings: Record<string, SettingValue>, proxy = this.proxy): VmUnderTest {
        const v = new VmUnderTest(proxy.port, { ...BASE_SETTINGS, ...settings }).start()
        this.vms.push(v)
        return v
    }

    /** Ends the scenario's VMs and clears every fault, so the next scenario starts clean. */
    async endScenario(): Promise<void> {
        const vms = this.vms.splice(0)
        await Promise.all(vms.map(v => v.stop()))
        mkdirSync(LOG_DIR, { recursive: true })
        for (const v of vms)
            writeFileSync(
                join(LOG_DIR, `${this.kind}-${this.scenario.replace(/\W+/g, "_")}-${v.name}.log`),
                v.log.join("\n") + "\n",
            )
        for (const p of this.proxies.splice(1)) await p.stop()
        const p = this.proxy
        for (const e of ["connection", "dropped", "held", "slice"]) p.removeAllListeners(e)
        p.blackhole = "none"
        p.refuse = false
        p.dropNext = []
        p.holdTypes = []
        p.connackRc = -1
        p.sliceBytes = 0
        p.sliceRandomMax = 0
        p.latencyMs = 0
        p.jitterMs = 0
        p.bandwidthBps = 0
        await p.setListening(true)
    }

    async close(): Promise<void> {
        await Promise.all(this.vms.splice(0).map(v => v.stop()))
        await this.observer?.stop()
        for (const p of this.proxies.splice(0)) await p.stop()
        await this.b.close()
    }
}
