/**
 * One simulated device: a DeviceScript VM instance joined to an in-process
 * Jacdac bus (jacdac-ts), on which the simulator also hosts the device's
 * sensors. Settings are written through the VM's own settings service, the
 * way `devs devtools` deploys `.env` files, and only then is the bytecode
 * deployed, so the program reads its real configuration at boot.
 *
 * With a board profile (host-sim/board/) the VM gets that board's sockets,
 * Wi-Fi and flash size, and a reset (`standby`, `reboot`, a chip assert) boots
 * a fresh VM instance from the flash the previous one saved, as the board
 * does: the program and the settings come from flash, nothing is redeployed.
 */
import { BoardSocket } from "../board/board-socket.ts"
import { FlashStore } from "../board/flash-store.ts"
import { BOARD_PROFILES, type BoardProfile } from "../board/profiles.ts"
import { resetDelayMs, resetReason, standbyMsInFrame } from "../board/reset.ts"
import { WifiLink } from "../board/wifi-link.ts"
import { jd, type JD } from "./jd.ts"
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
    /** Default: the plain simulator (no board limits, today's behaviour). */
    board?: BoardProfile
    /** Model Wi-Fi (opens throw while it is down) even on the plain simulator: a wifi-down scenario needs it. */
    wifi?: boolean
    /** Sees each VM instance once its hooks are set, before it starts (device-host.ts meters its ticks). */
    onVm?: (vm: DevsVM) => void
}

const SETTINGS_WAIT_MS = 10_000

export class VmDevice {
    readonly bus: JD.JDBus
    readonly board: BoardProfile
    readonly wifi: WifiLink
    readonly flash: FlashStore
    /** Boots so far, the first included. */
    boots = 0
    private vm!: DevsVM
    private socket?: BoardSocket
    /** Sockets of VMs that reset: their connections linger, as a reset board's do, until the device stops. */
    private readonly retired: BoardSocket[] = []
    /** Between a reset and the next boot there is no VM to hand frames to. */
    private down = false
    private pending: Uint8Array[] = []
    private bridge?: ReturnType<typeof jd.createProxyBridge>
    private standbyMs: number | null = null
    private resetTimer?: NodeJS.Timeout
    private stopped = false
    private deployed = false
    private earlyRestart?: { kind: "reboot" | "powercut"; offMs: number }

    constructor(private readonly opts: VmDeviceOptions) {
        this.bus = new jd.JDBus([], { client: false, disableRoleManager: true })
        this.bus.passive = false
        this.board = opts.board ?? BOARD_PROFILES.sim
        this.flash = new FlashStore(this.board.flashBytes, this.board.persistFlash)
        this.wifi = new WifiLink(this.board.rejoinGiveUpMs, line => opts.onLog(line))
    }

    async start(): Promise<void> {
        // Frames cross the bridge asynchronously: the VM drops frames handed
        // to it while it is inside its own process() call, and jacdac-ts
        // servers answer synchronously.
        this.bridge = jd.createProxyBridge((data: Uint8Array) => {
            this.pending.push(new Uint8Array(data))
            if (this.pending.length === 1) setImmediate(() => this.flush())
        })
        this.bridge.bus = this.bus
        this.bus.start()
        // jacdac-ts then scans every register of every device on the bus each 50 ms, to poll the ones a
        // client listens to. Nothing on this bus is such a client (the VM reads the sensors; the host only
        // writes settings), and with many devices in one process that scan was the largest single cost.
        this.bus.backgroundRefreshRegisters = false
        await this.boot()
        await this.writeSettings()
        const r = this.vm.devsDeploy(this.opts.bytecode)
        if (r) throw new Error(`the VM refused the bytecode (deploy error ${r})`)
        this.deployed = true
        const early = this.earlyRestart
        this.earlyRestart = undefined
        if (early) this.restart(early.kind, early.offMs)
    }

    stop(): void {
        this.stopped = true
        clearTimeout(this.resetTimer)
        this.vm?.devsStop()
        this.socket?.dispose()
        // Without a board socket the connection is the glue's own: end it, or it would outlive the VM
        // while the process goes on (many devices per process, device-host.ts).
        if (!this.socket && !this.down) this.vm?.sockClose()
        for (const s of this.retired) s.dispose()
        // Stopping the bus only clears its timers; nothing to wait for when the VM is gone.
        void this.bus.stop().catch(() => undefined)
    }

    /** A fresh VM instance on the device's flash; after the first boot the runtime starts the program from flash. */
    private async boot(): Promise<void> {
        const first = !this.vm
        this.vm = await vmFactory()()
        if (first && this.pending.length > 0) setImmediate(() => this.flush())
        this.boots++
        this.down = false
        this.standbyMs = null
        const vm = this.vm
        const log = this.opts.onLog
        vm.dmesg = line => log(line)
        vm.log = (...a) => log(a.join(" "))
        vm.error = (...a) => {
            const why = resetReason(a[0])
            if (why && this.board.standby !== "halt") this.reset(why)
            else log("error: " + a.join(" "))
        }
        vm.sendPacket = frame => {
            const copy = new Uint8Array(frame)
            const ms = standbyMsInFrame(copy, this.opts.deviceId)
            if (ms !== null) this.standbyMs = ms
            setImmediate(() => this.bridge?.receiveFrameOrPacket(copy))
        }
        // Every profile, the plain simulator too: no board hands the program Node's 64 KiB reads.
        this.socket = new BoardSocket(vm, this.board, this.wifi, { log }).install()
        const tap = this.opts.onSocketWrite
        if (tap) {
            const write = vm.sockWrite.bind(vm)
            vm.sockWrite = (ptr, len) => {
                tap(vm.HEAPU8.slice(ptr, ptr + len), Date.now())
                return write(ptr, len)
            }
        }
        this.flash.attach(vm)
        this.opts.onVm?.(vm)
        vm.devsSetDeviceId(this.opts.deviceId)
        // DEVS_GC_STRESS=1: a garbage collection on every allocation (`npm run test:interop` runs the
        // e2e suite once so), which turns a missing root or a use-after-free into a crash at once.
        if (process.env.DEVS_GC_STRESS === "1") vm.devsGcStress(true)
        vm.devsStart()
    }

    /**
     * A restart from outside the program, keeping the flash (scenarios `reboot@T`, `powercut@T`):
     * "reboot" is a planned restart: the VM stops, its connection is closed, and it boots again at
     * once. "powercut" kills the VM without warning: its connection goes silent (no FIN, no RST; the
     * broker notices by keepalive), RAM is gone, and the power is back after `offMs`.
     */
    restart(kind: "reboot" | "powercut", offMs = 0): void {
        if (this.stopped || this.down) return
        // Asked before the first boot has finished (a loaded machine boots slowly): once it has.
        if (!this.deployed) {
            this.earlyRestart = { kind, offMs }
            this.opts.onLog(
                `sim: ${kind === "reboot" ? "reboot" : "power cut"} asked for before the first boot has finished: right after it`,
            )
            return
        }
        this.down = true
        this.vm.devsStop()
        if (this.socket) {
            if (kind === "powercut") {
                this.socket.abandon()
                this.retired.push(this.socket)
            } else this.socket.dispose()
            this.socket = undefined
        }
        this.opts.onLog(
            `sim: ${kind === "reboot" ? "planned reboot" : "power cut"}` +
                (offMs ? `, power back after ${offMs} ms` : "") +
                `; boot ${this.boots + 1} starts the program from flash`,
        )
        this.wifi.reset()
        this.resetTimer = setTimeout(() => {
            if (!this.stopped) this.boot().catch(e => this.opts.onLog(`error: reboot failed: ${(e as Error).message}`))
        }, offMs)
    }

    /** The chip resets: the old VM is gone, its connection vanishes, and after the board's sleep a new one boots from flash. */
    private reset(why: string) {
        if (this.stopped) return
        this.down = true
        this.vm.devsStop()
        if (this.socket) {
            this.socket.abandon()
            this.retired.push(this.socket)
            this.socket = undefined
        }
        const delay = resetDelayMs(this.board, this.standbyMs) ?? 0
        this.opts.onLog(
            `sim: ${this.board.label}: ${why}: the chip resets` +
                (delay ? ` after ${delay} ms of deep sleep` : "") +
                `; boot ${this.boots + 1} starts the program from flash`,
        )
        this.wifi.reset()
        this.resetTimer = setTimeout(() => {
            if (!this.stopped) this.boot().catch(e => this.opts.onLog(`error: reboot failed: ${(e as Error).message}`))
        }, delay)
    }

    private flush() {
        // The bus runs before the first VM exists (its WASM instance takes a while to load, longer on
        // a loaded machine): those frames wait for it, as they would on a board's wire before boot.
        if (!this.vm) return
        const frames = this.pending
        this.pending = []
        if (this.down) return
        for (const f of frames) this.vm.handlePacket(f)
    }

    private async writeSettings() {
        const service = await this.waitForSettingsService()
        const client = new jd.SettingsClient(service)
        // The board profile reaches the firmware (firmware/platform.ts boardArch); a SIM_ARCH of the caller's wins.
        const arch = this.board.archId === "wasm" ? {} : { SIM_ARCH: this.board.archId }
        for (const [key, value] of Object.entries({ ...arch, ...this.opts.settings })) {
            if (key.length > 13) throw new Error(`setting key ${key} is longer than 13 characters`)
            await client.setValue(key, jd.stringToUint8Array(jd.toUTF8(JSON.stringify(value))))
        }
    }

    private waitForSettingsService(): Promise<JD.JDService> {
        const id = this.opts.deviceId
        const find = () => this.bus.device(id, true)?.services({ serviceClass: jd.SRV_SETTINGS })[0]
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
