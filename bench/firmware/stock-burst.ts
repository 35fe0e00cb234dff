/**
 * Benchmark firmware: the stock @devicescript/net MQTT client publishing
 * BURST_N messages in a plain loop, as its API invites. BURST_YIELD=1 adds
 * `await ds.sleep(0)` every 16 messages (what a user must add to avoid the
 * VM's InfiniteLoop panic).
 */
import * as ds from "@devicescript/core"
import { startMQTTClient } from "@devicescript/net"
import { readSetting } from "@devicescript/settings"

const host: string = await readSetting("MQTT_HOST", "127.0.0.1")
const port: number = await readSetting("MQTT_PORT", 1883)
const name: string = await readSetting("DEVICE_NAME", "stock")
const n: number = await readSetting("BURST_N", 1000)
const qos: number = await readSetting("BURST_QOS", 1)
const yieldEvery: number = (await readSetting("BURST_YIELD", 0)) ? 16 : 0

const mqtt = await startMQTTClient({ host: host, port: port, proto: "tcp", clientId: name })
const topic = "devs/" + name + "/telemetry"
const t0 = ds.millis()
for (let i = 1; i <= n; i++) {
    await mqtt.publish(topic, `{"seq":${i}}`, qos)
    if (yieldEvery && i % yieldEvery === 0) await ds.sleep(0)
}
console.log(`stock burst done: ${n} messages in ${ds.millis() - t0} ms`)
await ds.sleep(1e9)
