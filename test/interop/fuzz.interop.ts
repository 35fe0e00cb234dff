/**
 * ≥ 10,000 malformed broker packets (mutations of valid ones, mutate.ts)
 * against ONE long-running VM, from the scripted broker. After CONNACK the
 * broker sends batches of [mutant, probe] pairs, where the probe is a valid
 * QoS 1 PUBLISH: its PUBACK proves the device processed the mutant and
 * survived it. When the device closes the connection, the first unanswered
 * mutant is the one it rejected; the rest of the batch is sent again on the
 * next connection. A mutant whose length does not end exactly where its bytes
 * do goes last in its batch and is followed by FIN (a packet cut short, or a
 * stream out of step). ~8% of the mutants replace the CONNACK itself.
 *
 * Bar: zero VM panics, and at the end the device is connected and publishing.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, expect, test } from "vitest"
import mqttPacket from "mqtt-packet"
import { BACKOFF_CONFLICT } from "../../firmware/mqtt/backoff.ts"
import { SESSION_DEFAULTS } from "../../firmware/mqtt/options.ts"
import { ScriptedBroker, type BrokerConn, type Packet } from "../support/fake-broker.ts"
import { within } from "../../host-sim/cli/within.ts"
import { VmUnderTest, withDeviceLog } from "../../host-sim/device/vm-under-test.ts"
import { aligned, Mutator, type FuzzCase } from "./mutate.ts"
import { writePart, type FuzzResult } from "./report.ts"
import { LOG_DIR } from "./rig.ts"

const SEED = Number(process.env.FUZZ_SEED ?? 20261122)
const TARGET_CASES = Number(process.env.FUZZ_CASES ?? 10_000)
const BATCH = 32
/** No answer for this long after a batch: the device is waiting for bytes that will not come. */
const QUIET_MS = 1500
const PROBE_TOPIC = "fuzz/probe"
const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00])
/** Fast retries: the fuzz needs thousands of connections. */
const SETTINGS = { PERIOD_MS: 1000, HA_DISCOVERY: false, RETRY_BASE_MS: 10, RETRY_CAP_MS: 10 }
/**
 * The longest the device may stay away between two connections, by its own policy: a broker that
 * closes 3 sessions in a row right after CONNACK (a cut mutant ends with a FIN) is a suspected
 * client-id conflict, up to BACKOFF_CONFLICT's cap per attempt (docs/mqtt-client.md); otherwise the
 * transient cap above. Plus the device's own connect timeout. The mutator never sends a well-formed
 * refusing CONNACK, so the auth and config backoffs do not apply.
 */
const RECONNECT_MS = Math.max(SETTINGS.RETRY_CAP_MS, BACKOFF_CONFLICT.capMs) + SESSION_DEFAULTS.connectTimeoutMs

const broker = new ScriptedBroker()
let vm: VmUnderTest | undefined

afterAll(async () => {
    await vm?.stop()
    await broker.stop()
})

/**
 * "ok" when `pred` holds for a packet the device sends on `c`, "closed" when the connection closes,
 * "quiet" after `quietMs` without a packet that shows progress (`progress`; telemetry does not count).
 */
function until(
    c: BrokerConn,
    pred: (p: Packet) => boolean,
    quietMs: number,
    progress: (p: Packet) => boolean = () => false,
): Promise<"ok" | "closed" | "quiet"> {
    return new Promise(resolve => {
        let timer: NodeJS.Timeout
        const done = (r: "ok" | "closed" | "quiet") => {
            clearTimeout(timer)
            c.off("packet", onPacket)
            c.off("close", onClose)
            resolve(r)
        }
        const arm = () => {
            clearTimeout(timer)
            timer = setTimeout(() => done("quiet"), quietMs)
        }
        const onPacket = (p: Packet) => {
            if (pred(p)) done("ok")
            else if (progress(p)) arm()
        }
        const onClose = () => done("closed")
        c.on("packet", onPacket)
        c.on("close", onClose)
        if (c.closed) return done("closed")
        arm()
    })
}

test(`fuzz: ${TARGET_CASES} mutated broker packets against one VM, zero panics (seed ${SEED})`, async () => {
    const t0 = Date.now()
    const mutator = new Mutator(SEED)
    const pending: FuzzCase[] = []
    const take = (phase: FuzzCase["phase"]): FuzzCase => {
        const i = pending.findIndex(k => k.phase === phase)
        if (i >= 0) return pending.splice(i, 1)[0]
        for (;;) {
            const k = mutator.next()
            if (k.phase === phase) return k
            pending.push(k)
        }
    }
    const r: FuzzResult = {
        seed: SEED,
        cases: 0,
        byOp: {},
        closed: 0,
        accepted: 0,
        stalled: 0,
        connections: 0,
        violationsLogged: 0,
        panics: [],
        connectedAtEnd: false,
        publishingAtEnd: false,
        durationMs: 0,
    }
    /** The last case counted, kept for a failure's message: the mutant that preceded it. */
    let last = ""
    const count = (k: FuzzCase, outcome: "closed" | "accepted" | "stalled") => {
        last = `case ${r.cases + 1} on connection ${r.connections - 1} (${k.phase}, ${k.op} of ${k.seed}, ${outcome}): ${k.bytes.toString("hex")}`
        r.cases++
        r.byOp[k.op] = (r.byOp[k.op] ?? 0) + 1
        r[outcome]++
    }
    let probeId = 0
    const nextProbe = () => (probeId = (probeId % 0x3fff) + 1) + 0xc000

    // The device answers everything itself; the broker only answers what the fuzz does not take over.
    broker.hook = p => p.cmd === "connect"
    await broker.start()
    vm = new VmUnderTest(broker.port, SETTINGS).start()

    try {
        for (let n = 0; r.cases < TARGET_CASES; n++) {
            const c = await within(broker.connection(n), RECONNECT_MS, `connection ${n}`)
            r.connections++
            await within(
                broker.packet(c, p => p.cmd === "connect"),
                15_000,
                "CONNECT",
            )
            if (mutator.rand() < 0.08) {
                // The mutant is the handshake answer.
                const k = take("connack")
                c.send(k.bytes)
                if (!aligned(k.bytes)) {
                    c.socket.end()
                    count(k, "stalled")
                    continue
                }
                const got = await until(c, p => p.cmd !== "connect", QUIET_MS)
                if (got === "quiet") {
                    c.socket.destroy()
                    count(k, "stalled")
                    continue
                }
                count(k, got === "ok" ? "accepted" : "closed")
                if (got === "closed") continue
            } else c.send(CONNACK_OK)

            // Batches of [mutant, probe] until the device closes.
            while (!c.closed && r.cases < TARGET_CASES) {
                const batch: { k: FuzzCase; probe: number }[] = []
                const parts: Buffer[] = []
                let cut = false
                while (batch.length < BATCH && r.cases + batch.length < TARGET_CASES && !cut) {
                    const k = take("after")
                    parts.push(k.bytes)
                    if (!aligned(k.bytes)) {
                        batch.push({ k, probe: -1 })
                        cut = true
                        break
                    }
                    const probe = nextProbe()
                    parts.push(
                        mqttPacket.generate({
                            cmd: "publish",
                            topic: PROBE_TOPIC,
                            payload: Buffer.from("p"),
                            qos: 1,
                            messageId: probe,
                            retain: false,
                            dup: false,
                        }),
                    )
                    batch.push({ k, probe })
                }
                const acked = new Set<number>()
                const onPacket = (p: Packet) => {
                    if (p.cmd === "puback" && p.messageId! >= 0xc000) acked.add(p.messageId!)
                }
                c.on("packet", onPacket)
                const isProbeAck = (p: Packet) => p.cmd === "puback" && p.messageId! >= 0xc000
                // The aligned mutants and their probes first; a FIN would cut the device's answers short
                // (the VM's socket closes on FIN), so a misaligned mutant is sent only once they are in.
                const probed = batch.filter(b => b.probe >= 0)
                let got: "ok" | "closed" | "quiet" = "ok"
                if (probed.length > 0) {
                    const lastProbe = probed[probed.length - 1].probe
                    c.send(Buffer.concat(parts.slice(0, parts.length - (cut ? 1 : 0))))
                    got = await until(c, p => p.cmd === "puback" && p.messageId === lastProbe, QUIET_MS, isProbeAck)
                }
                if (cut && got === "ok") {
                    c.send(parts[parts.length - 1])
                    c.socket.end()
                    got = await until(c, () => false, QUIET_MS)
                }
                c.off("packet", onPacket)
                let i = 0
                for (; i < batch.length && batch[i].probe >= 0 && acked.has(batch[i].probe); i++)
                    count(batch[i].k, "accepted")
                if (i < batch.length) {
                    // The first unanswered mutant ended the connection; the rest go again on the next one.
                    const last = batch[i]
                    count(last.k, last.probe < 0 || got === "quiet" ? "stalled" : "closed")
                    pending.unshift(...batch.slice(i + 1).map(b => b.k))
                    if (!c.closed) c.socket.destroy()
                }
            }
        }

        // Recovery: well-behaved broker again; the device must connect and keep publishing.
        broker.hook = () => false
        const n = broker.conns.length
        broker.conns[n - 1]?.socket.destroy()
        const current = await within(broker.connection(n), RECONNECT_MS, "the reconnection after the fuzz")
        const telemetry = (p: Packet) => p.cmd === "publish" && p.topic.endsWith("/telemetry")
        const before = current.received.filter(telemetry).length
        await within(
            broker.packet(current, p => telemetry(p) && current.received.filter(telemetry).length > before + 1),
            15_000,
            "telemetry after the fuzz",
        )
        r.publishingAtEnd = true
        r.connectedAtEnd = !current.closed && vm.device.running
    } catch (e) {
        throw withDeviceLog(e, vm, `--- the last mutant: ${last || "none yet"} ---`)
    } finally {
        // Whatever happened is reported, with the device log for the post-mortem.
        r.panics = vm.panics()
        r.violationsLogged = vm.log.filter(l => /protocol violation/.test(l)).length
        r.durationMs = Date.now() - t0
        writePart("fuzz", { fuzz: r })
        mkdirSync(LOG_DIR, { recursive: true })
        writeFileSync(join(LOG_DIR, "fuzz.log"), vm.log.join("\n") + "\n")
        console.log(JSON.stringify(r))
    }

    expect(r.cases).toBeGreaterThanOrEqual(TARGET_CASES)
    expect(r.panics).toEqual([])
    expect(r.connectedAtEnd).toBe(true)
    expect(vm.log.filter(l => /OutOfMemory|Exception/.test(l))).toEqual([])
}, 900_000)
