/**
 * Benchmark firmware: the simulator's ceiling. CONNECT once, then write one
 * pre-encoded QoS 0 PUBLISH BURST_N times straight to the socket (one write
 * per packet, yielding every 16), nothing else.
 */
import * as ds from "@devicescript/core"
import { readSetting } from "@devicescript/settings"
import { encodeConnect, encodePublish } from "../../firmware/mqtt/packet"
import { SocketTransport } from "../../firmware/net/socket-transport"

const host: string = await readSetting("MQTT_HOST", "127.0.0.1")
const port: number = await readSetting("MQTT_PORT", 1883)
const name: string = await readSetting("DEVICE_NAME", "raw")
const n: number = await readSetting("BURST_N", 1000)

const t = new SocketTransport()
await t.open(host, port, false, 10000)
t.write(encodeConnect({ clientId: name, keepAliveS: 60, clean: true }))
await t.read(10000) // CONNACK
const pkt = encodePublish({
    topic: "devs/" + name + "/telemetry",
    payload: Buffer.from(`{"seq":0}`),
    qos: 0,
    retain: false,
    dup: false,
    id: 0,
})
const t0 = ds.millis()
for (let i = 1; i <= n; i++) {
    t.write(pkt)
    if (i % 16 === 0) await ds.sleep(0)
}
console.log(`raw burst done: ${n} messages in ${ds.millis() - t0} ms`)
await ds.sleep(1e9)
