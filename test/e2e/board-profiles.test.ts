/**
 * The firmware bytecode under the ESP32 and Pico W board profiles (host-sim/board/), through the
 * fault proxy to a private Mosquitto. Every test asserts what a board would show: no panic, no
 * reconnect loop, no telemetry seq missing. docs/board-profiles.md lists which difference each covers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import type { BoardId } from "../../host-sim/board/profiles.ts"
import { startEmbeddedBroker, type RunningBroker } from "../../host-sim/brokers/broker.ts"
import { ChaosProxy } from "../../host-sim/chaos/proxy.ts"
import { startMosquitto } from "../../host-sim/brokers/mosquitto.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import { makeTestCa, type TestCa } from "../support/test-ca.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest } from "../../host-sim/device/vm-under-test.ts"
import { missing, seqAtLeast, seqsOf } from "../support/telemetry.ts"
import { installed } from "../support/required.ts"

const HAS_MOSQUITTO = installed("mosquitto")
const PUBACK = 4
const STANDBY_BYTECODE = `${PROJECT_DIR}/.devicescript/standby.devs`

/** How many times the session reached CONNACK. */
function connections(vm: VmUnderTest): number {
    return vm.log.filter(l => /-> connected/.test(l)).length
}

function boardVm(port: number, board: BoardId, settings: Record<string, number | string | boolean> = {}) {
    return new VmUnderTest(port, { PERIOD_MS: 150, ...settings }, "127.0.0.1", undefined, "", { board })
}

describe.skipIf(!HAS_MOSQUITTO)("board profiles against Mosquitto through the fault proxy", () => {
    let broker: RunningBroker
    let proxy: ChaosProxy
    let observer: Observer
    let vm: VmUnderTest | undefined

    beforeAll(async () => {
        broker = await startMosquitto()
        proxy = new ChaosProxy("127.0.0.1", broker.port)
        await proxy.start()
        observer = new Observer(broker.url, "devs/#", `observer-boards-${process.pid}`)
        await observer.start()
    })
    afterEach(async () => {
        await vm?.stop()
        vm = undefined
        proxy.holdTypes = []
    })
    afterAll(async () => {
        await observer?.stop()
        await proxy?.stop()
        await broker?.close()
    })

    describe.each(["esp32", "picow"] as const)("%s", board => {
        test("telemetry arrives complete over a single connection", async () => {
            vm = boardVm(proxy.port, board).start()
            await seqAtLeast(observer, vm.name, 15, 30_000)
            expect(missing(seqsOf(observer, vm.name))).toEqual([])
            expect(connections(vm)).toBe(1)
            expect(vm.panics()).toEqual([])
        }, 60_000)

        test("a connection reset costs one reconnect and no telemetry", async () => {
            vm = boardVm(proxy.port, board).start()
            await seqAtLeast(observer, vm.name, 3, 30_000)
            proxy.reset()
            const target = Math.max(...seqsOf(observer, vm.name)) + 10
            await seqAtLeast(observer, vm.name, target, 30_000)
            expect(missing(seqsOf(observer, vm.name))).toEqual([])
            expect(connections(vm)).toBeLessThanOrEqual(3)
            expect(vm.panics()).toEqual([])
        }, 60_000)

        test("Wi-Fi down: opens throw 'network not available', and once it is back every seq arrives without a reconnect loop", async () => {
            // On a Pico W the outage itself ends the connection: with no ACKs the send buffer fills and
            // the runtime closes the socket on ERR_MEM. The firmware's window (WINDOW_BYTES, 1400 B by
            // default) keeps what is unacknowledged under the Pico W's limit, so the resend fits.
            // A backlog larger than the window and smaller than the queue: 80 slots, 48 on a Pico W (4 KB of its
            // queue is kept for a receive window: firmware/platform.ts receiveReserveBytes), so there half the rate.
            const periodMs = board === "picow" ? 200 : 100
            vm = boardVm(proxy.port, board, { KEEPALIVE_S: 2, PERIOD_MS: periodMs }).start()
            const name = vm.name
            await seqAtLeast(observer, name, 3, 30_000)
            vm.device.setWifi(false)
            await vm.waitForLine(/connect_failed: network not available/, 20_000)
            // The scenario itself: a 5 s outage (and the keepalive's 3 s to notice it) builds a backlog of ~40-80
            // readings, larger than the in-flight window.
            await new Promise(r => setTimeout(r, 5000))
            vm.device.setWifi(true)
            const back = vm.log.length
            const target = Math.max(...seqsOf(observer, name)) + 10
            await seqAtLeast(observer, name, target, 30_000)
            expect(missing(seqsOf(observer, name))).toEqual([])
            expect(vm.log.slice(back).filter(l => /-> connected/.test(l))).toHaveLength(1)
            expect(vm.panics()).toEqual([])
        }, 60_000)

        // While the broker is slow to PUBACK the session fills its in-flight window; after the reset it
        // resends it. A Pico W takes at most one segment + 1 MSS (1.5-2.9 KB) unacknowledged, then ERR_MEM
        // closes the socket. Before the byte window (32 PUBLISHes of ~107 B = ~3.4 KB in flight) this was a
        // reconnect loop delivering the same seqs again and again (21 connections, then OutOfMemory).
        test("after a slow broker and a reset, the resend flush goes through on the first reconnect", async () => {
            vm = boardVm(proxy.port, board, { PERIOD_MS: 100 }).start()
            const name = vm.name
            await seqAtLeast(observer, name, 3, 30_000)
            proxy.holdTypes = [PUBACK]
            // Published but never acknowledged: the window (1400 B, about 12 readings) fills, then the queue
            // holds the rest; the scenario keeps PUBACKs back 3 s more so a backlog builds behind a full window.
            const held = Math.max(...seqsOf(observer, name)) + 8
            await seqAtLeast(observer, name, held, 30_000)
            await new Promise(r => setTimeout(r, 3000))
            proxy.holdTypes = []
            const before = connections(vm)
            proxy.reset()
            const target = held + 20
            await seqAtLeast(observer, name, target, 30_000)
            expect(missing(seqsOf(observer, name))).toEqual([])
            expect(connections(vm) - before).toBe(1)
            expect(vm.log.filter(l => /ERR_MEM/.test(l))).toEqual([])
            expect(vm.panics()).toEqual([])
        }, 60_000)
    })

    test("picow: after a Wi-Fi outage the runtime never re-joins, so the firmware reboots the board and telemetry comes back", async () => {
        // NONET_RESET_S is 120 s on a Pico W (platform.ts); the simulated VM reports the wasm arch, so the
        // test sets it, shorter. The board gives up re-joining after one failed attempt (wifi-link.ts).
        vm = boardVm(proxy.port, "picow", { PERIOD_MS: 200, KEEPALIVE_S: 2, NONET_RESET_S: 20 }).start()
        const name = vm.name
        await seqAtLeast(observer, name, 3, 30_000)
        vm.device.setWifi(false)
        await vm.waitForLine(/connect_failed: network not available/, 20_000)
        // The scenario: the access point is away longer than the board's one re-join attempt.
        await new Promise(r => setTimeout(r, 12_000))
        vm.device.setWifi(true)
        await vm.waitForLine(/offline until reset/, 10_000)
        await vm.waitForLine(/net: no network for \d+ s .* rebooting/, 40_000)
        const rebootedAt = Date.now()
        // A new boot: seq starts again at 1, published after the reboot.
        await within(
            observer.waitFor(
                m =>
                    m.topic === `devs/${name}/telemetry` &&
                    m.atMs > rebootedAt &&
                    JSON.parse(m.payload.toString()).seq === 2,
                40_000,
            ),
            40_000,
            "telemetry after the reboot",
        )
        expect(vm.log.filter(l => /PANIC|Exception/.test(l))).toEqual([])
    }, 120_000)
})

describe("board TLS rules (mqtts:// to aedes with a private test CA)", () => {
    let ca: TestCa
    let broker: RunningBroker
    const vms: VmUnderTest[] = []

    beforeAll(async () => {
        ca = makeTestCa()
        broker = await startEmbeddedBroker(0, { key: ca.key, cert: ca.cert })
    })
    afterAll(async () => {
        for (const v of vms) await v.stop()
        await broker?.close()
        ca?.remove()
    })

    test("esp32: a broker whose chain ends at a private CA is refused even when the host trusts it; the session keeps retrying", async () => {
        // The CA is in NODE_EXTRA_CA_CERTS (the plain simulator would connect: tls.test.ts); the ESP32 has only its built-in roots.
        const v = new VmUnderTest(broker.port, { MQTT_TLS: true }, "localhost", undefined, ca.caFile, {
            board: "esp32",
        }).start()
        vms.push(v)
        await v.waitForLine(/connect_failed: .*mbedtls_ssl_handshake/, 20_000)
        await within(
            new Promise<void>(resolve =>
                v.on("line", () => v.log.filter(l => /connect_failed/.test(l)).length >= 2 && resolve()),
            ),
            20_000,
            "a second attempt",
        )
        expect(connections(v)).toBe(0)
        expect(v.panics()).toEqual([])
    }, 60_000)

    // The board's socket gives no event for a TLS open (board-socket.test.ts); the firmware, which knows it
    // runs on a Pico W (SIM_ARCH), refuses the setting at boot instead of trying (platform.ts tlsConfigError).
    test("picow: there is no TLS; the firmware says so at boot, naming the setting, and never opens a socket", async () => {
        const v = new VmUnderTest(broker.port, { MQTT_TLS: true }, "localhost", undefined, ca.caFile, {
            board: "picow",
        }).start()
        vms.push(v)
        expect(await v.waitForLine(/config: MQTT_TLS=true/, 20_000)).toMatch(/rp2040w DeviceScript runtime has no TLS/)
        expect(v.log.filter(l => /no TLS on this board|connect_failed/.test(l))).toEqual([])
        expect(connections(v)).toBe(0)
        expect(v.panics()).toEqual([])
    }, 60_000)
})

describe("standby is a reset, and the flash survives it", () => {
    const vms: VmUnderTest[] = []
    afterAll(async () => {
        for (const v of vms) await v.stop()
    })

    test.each([
        ["esp32", /after 1500 ms of deep sleep/],
        ["picow", /the chip resets; boot 2/],
    ] as const)(
        "%s: standby(1500) resets the board and boot 2 reads the boot count the first boot wrote",
        async (board, how) => {
            const v = new VmUnderTest(1, { STANDBY_MS: 1500 }, "127.0.0.1", STANDBY_BYTECODE, "", { board }).start()
            vms.push(v)
            await v.waitForLine(/^> boot 1$/, 20_000)
            expect(await v.waitForLine(/target_reset\(\): the chip resets/, 20_000)).toMatch(how)
            await v.waitForLine(/^> boot 2$/, 20_000)
            expect(v.log.filter(l => /^> standby/.test(l))).toHaveLength(1)
            expect(v.panics()).toEqual([])
        },
        60_000,
    )
})
