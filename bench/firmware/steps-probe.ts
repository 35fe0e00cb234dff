/**
 * Step margin probe: runs PROBE_X whole message life cycles in ONE fiber run, without yielding,
 * and says so if the VM's InfiniteLoop watchdog (128 K opcodes) lets it finish. A life cycle is
 * everything the client does for one telemetry message: publish (encode into the queue), stage
 * into the window with a packet id, write in a run, take the PUBACK frame through the framer and
 * decoder, and acknowledge it. `npm run bench` raises PROBE_X until the watchdog fires; the step
 * margin is the largest X that finishes divided by the most messages any one fiber run handles in
 * production (the in-flight window's MAX_INFLIGHT, which also caps a flush and a read burst).
 */
import * as ds from "@devicescript/core"
import { readSetting } from "@devicescript/settings"
import { copyOut } from "../../firmware/mqtt/bytes"
import { Framer } from "../../firmware/mqtt/framer"
import { Outbox } from "../../firmware/mqtt/outbox"
import { PACKET_ID } from "../../firmware/mqtt/window"
import { decodePacket, encodePuback, InPacket, isDecodeError, PUBACK } from "../../firmware/mqtt/packet"
import { SESSION_DEFAULTS } from "../../firmware/mqtt/session"

const x: number = await readSetting("PROBE_X", 32)
/** Which parts run (for attributing cost): 3 everything, 1 publish + stage + write + direct ack, 0 publish only. */
const mode: number = await readSetting("PROBE_MODE", 3)
const d = SESSION_DEFAULTS
const o = new Outbox(d, () => {})
const framer = new Framer(d.maxInboundBytes)
const topic = "devs/sim1/telemetry"
// A production-size reading (about 110 bytes of JSON).
const payload = Buffer.from(
    `{"seq":123456,"uptime_ms":123456789,"temperature":21.53,"humidity":45.21,"pressure":1013.25,"illuminance":312.5}`,
)
const none = (id: number) => false
let sink = 0
await ds.sleep(10)
const t0 = ds.millis()
for (let i = 0; i < x; i++) {
    o.add(topic, topic.length, payload, 0, 0, 1)
    if (mode === 0) {
        if (o.queue.count > 50) o.queue.clear()
        continue
    }
    o.stage(0, 1e9, 1e9, none)
    while (o.window.nextRun(1024)) {
        sink += copyOut(o.window.ring.data, o.window.runFrom, o.window.runTo).length
        o.window.runWritten(0)
    }
    // The broker's PUBACK for the oldest packet in flight: framed, decoded, acknowledged.
    const w = o.window.ring
    const id = w.field(w.slot(0), PACKET_ID)
    if (mode === 1) {
        o.window.ack(id)
        continue
    }
    framer.push(encodePuback(id))
    const f = framer.next()
    const p = decodePacket(f.firstByte, f.body)
    if (!isDecodeError(p) && (p as InPacket).type === PUBACK) o.window.ack((p as InPacket).id)
}
console.log(`steps probe: ${x} life cycles in one fiber run (${sink} bytes written, ${ds.millis() - t0} ms)`)
