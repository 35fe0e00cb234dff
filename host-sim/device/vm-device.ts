/**
 * One simulated device: a DeviceScript VM instance joined to an in-process
 * Jacdac bus (jacdac-ts), on which the simulator also hosts the device's
 * sensors. Settings are written through the VM's own settings service, the
 * way `devs devtools` deploys `.env` files, and only then is the bytecode
 * deployed, so the program reads its real configuration at boot.
 */
import { jd, type JD } from "../jd.ts"
import { vmFactory, type DevsVM } from "../vm/load-vm.ts"

/** Settings are JSON values (the firmware reads them with readSetting). */
export type SettingValue = string | number | boolean | string[]

export interface VmDeviceOptions {
    deviceId: string // 16 hex digits
    bytecode: Uint8Array
    settings: Record<string, SettingValue>
    onLog: (line: string) => void
    /** Sees every socket write of the VM (bytes and host time): the benchmark's wire tap. */
    onSocketWrite?: (bytes: Uint8Array, atMs: number) => void
}

const SETTINGS_WAIT_MS = 10_000

export class VmDevice {
    readonly bus: JD.JDBus
    private vm!: DevsVM
    private pending: Uint8Array[] = []

    constructor(private readonly opts: VmDeviceOptions) {
        this.bus = new jd.JDBus([], { client: false, disableRoleManager: true })
        this.bus.passive = false
    }

    async start(): Promise<void> {
        this.vm = await vmFactory()()
        const vm = this.vm
        vm.dmesg = line => this.opts.onLog(line)
        vm.log = (...a) => this.opts.onLog(a.join(" "))
        vm.error = (...a) => this.opts.onLog("error: " + a.join(" "))
        // Frames cross the bridge asynchronously: the VM drops frames handed
        // to it while it is inside its own process() call, and jacdac-ts
        // servers answer synchronously.
        const bridge = jd.createProxyBridge((data: Uint8Array) => {
            this.pending.push(new Uint8Array(data))
            if (this.pending.length === 1) setImmediate(() => this.flush())
        })
        bridge.bus = this.bus
        vm.sendPacket = frame => {
            const copy = new Uint8Array(frame)
            setImmediate(() => bridge.receiveFrameOrPacket(copy))
        }
        const tap = this.opts.onSocketWrite
        if (tap) {
            const write = vm.sockWrite.bind(vm)
            vm.sockWrite = (ptr, len) => {
                tap(vm.HEAPU8.slice(ptr, ptr + len), Date.now())
                return write(ptr, len)
            }
        }
        vm.flashLoad = null
        vm.flashSave = null
        vm.devsSetDeviceId(this.opts.deviceId)
        this.bus.start()
        vm.devsStart()
        await this.writeSettings()
        const r = vm.devsDeploy(this.opts.bytecode)
        if (r) throw new Error(`the VM refused the bytecode (deploy error ${r})`)
    }

    stop(): void {
        this.vm?.devsStop()
        this.bus.stop()
    }

    private flush() {
        const frames = this.pending
        this.pending = []
        for (const f of frames) this.vm.handlePacket(f)
    }

    private async writeSettings() {
        const service = await this.waitForSettingsService()
        const client = new jd.SettingsClient(service)
        for (const [key, value] of Object.entries(this.opts.settings)) {
            if (key.length > 13)
                throw new Error(`setting key ${key} is longer than 13 characters`)
            await client.setValue(key, jd.stringToUint8Array(jd.toUTF8(JSON.stringify(value))))
        }
    }

    private waitForSettingsService(): Promise<JD.JDService> {
        const id = this.opts.deviceId
        const find = () =>
            this.bus
                .device(id, true)
                ?.services({ serviceClass: jd.SRV_SETTINGS })[0]
        return new Promise((resolve, reject) => {
            const found = find()
            if (found) return resolve(found)
            const timer = setTimeout(() => {
                unsub()
                reject(new Error("the VM did not announce its settings service"))
            }, SETTINGS_WAIT_MS)
            const unsub = this.bus.subscribe(jd.DEVICE_ANNOUNCE, () => {
                const s = find()
                if (!s) return
                clearTimeout(timer)
                unsub()
                resolve(s)
            })
        })
    }
}
