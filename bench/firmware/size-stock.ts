/** Benchmark firmware for the bytecode size comparison: connect and publish with the stock client. */
import * as ds from "@devicescript/core"
import { startMQTTClient } from "@devicescript/net"

const mqtt = await startMQTTClient({ host: "127.0.0.1", port: 1883, proto: "tcp", clientId: "size" })
await mqtt.publish("devs/size/telemetry", "{}", 1)
await ds.sleep(1000)
