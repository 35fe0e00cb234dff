/**
 * Readiness of a broker we started: it is ready when a CONNECT on its MQTT
 * port is answered by a CONNACK, not when some fixed time has passed. Used by
 * the private NATS and RabbitMQ instances, whose MQTT layer comes up after
 * their "ready" log line (NATS creates its JetStream streams on the first
 * MQTT connection; RabbitMQ elects its client-id tracker).
 */
import { connect } from "node:net"

/** CONNECT, MQTT 3.1.1, clean session, keepalive 10 s, client id "devsprobe<n>" [MQTT-3.1.0-1]. */
function connectPacket(clientId: string): Buffer {
    const id = Buffer.from(clientId)
    const body = Buffer.concat([
        Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a]),
        Buffer.from([id.length >> 8, id.length & 0xff]),
        id,
    ])
    return Buffer.concat([Buffer.from([0x10, body.length]), body])
}

/** One attempt: the CONNACK return code, or an error (refused, closed, timed out). */
export function probeConnack(port: number, timeoutMs: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
        const sock = connect({ host, port })
        let got = Buffer.alloc(0)
        const timer = setTimeout(() => finish(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs)
        const finish = (r: number | Error) => {
            clearTimeout(timer)
            sock.destroy()
            if (typeof r === "number") resolve(r)
            else reject(r)
        }
        sock.on("connect", () => sock.write(connectPacket(`devsprobe${process.pid}`)))
        sock.on("data", d => {
            got = Buffer.concat([got, d])
            if (got.length < 4) return
            if (got[0] !== 0x20 || got[1] !== 0x02) finish(new Error(`not a CONNACK: ${got.subarray(0, 4).toString("hex")}`))
            else {
                // A clean disconnect, so the probe leaves no session and no Will behind.
                sock.write(Buffer.from([0xe0, 0x00]))
                finish(got[3])
            }
        })
        sock.on("error", e => finish(e))
        sock.on("close", () => finish(new Error("closed before CONNACK")))
    })
}

/**
 * Retries the probe until a CONNACK 0 arrives or `timeoutMs` passes. Each retry
 * follows the previous attempt's failure (refused at once while the port is
 * not yet open, so the short pause only bounds the rate).
 */
export async function waitForMqtt(port: number, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last = ""
    while (Date.now() < deadline) {
        if (!isAlive()) throw new Error(`the broker process exited (${last})`)
        try {
            const rc = await probeConnack(port, Math.max(100, Math.min(5000, deadline - Date.now())))
            if (rc === 0) return
            last = `CONNACK ${rc}`
        } catch (e) {
            last = (e as Error).message
        }
        await new Promise(r => setTimeout(r, 50))
    }
    throw new Error(`no MQTT CONNACK on port ${port} within ${timeoutMs} ms (${last})`)
}
