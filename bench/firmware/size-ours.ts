/** Benchmark firmware for the bytecode size comparison: connect and publish with our client. */
import * as ds from "@devicescript/core"
import { Session, SESSION_DEFAULTS } from "../../firmware/mqtt/session"
import { LOG_INFO } from "../../firmware/mqtt/transport"
import { DsRuntime } from "../../firmware/net/runtime"
import { SocketTransport } from "../../firmware/net/socket-transport"
import { Waker } from "../../firmware/net/waker"

const s = new Session(SESSION_DEFAULTS, new SocketTransport(), new DsRuntime(LOG_INFO), new Waker())
const run = async () => {
    await s.run()
}
run.start()
s.publish("devs/size/telemetry", Buffer.from("{}"), { qos: 1, retain: false, ttlMs: 0, replace: false })
await ds.sleep(1000)
