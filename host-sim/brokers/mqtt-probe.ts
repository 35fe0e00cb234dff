/**
 * Readiness of a broker we started: it is ready when a CONNECT on its MQTT
 * port is answered by a CONNACK 0, not when some fixed time has passed. Used by
 * the private NATS and RabbitMQ instances, whose MQTT layer comes up after
 * their "ready" log line (NATS creates its JetStream streams on the first
 * MQTT connection; RabbitMQ elects its client-id tracker). Each attempt goes
 * through broker-connect.ts, so a broker that never gets ready ends with the
 * reason of the last attempt.
 */
import { brokerTarget, connectBroker, type Login } from "../link/broker-connect.ts"
import type { Daemon } from "./daemon.ts"

/** At most this long for one attempt; refused attempts return at once. */
const ATTEMPT_TIMEOUT_MS = 5000

/**
 * Retries until a CONNACK 0 arrives or `timeoutMs` passes. Each retry follows
 * the previous attempt's failure (refused at once while the port is not yet
 * open, so the short pause only bounds the rate).
 */
export async function waitForMqtt(
    port: number,
    timeoutMs: number,
    isAlive: () => boolean = () => true,
    login: Login = {},
    host = "127.0.0.1",
): Promise<void> {
    const target = brokerTarget(`mqtt://${host}:${port}`, login)
    const deadline = Date.now() + timeoutMs
    let last = ""
    while (Date.now() < deadline) {
        if (!isAlive()) throw new Error(`the broker process exited (${last})`)
        try {
            const c = await connectBroker(target, {
                clientId: `devsprobe${process.pid}`,
                timeoutMs: Math.max(100, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now())),
            })
            // A clean DISCONNECT, so the probe leaves no session and no Will behind.
            await c.endAsync()
            return
        } catch (e) {
            last = (e as Error).message
        }
        await new Promise(r => setTimeout(r, 50))
    }
    throw new Error(`no MQTT CONNACK on port ${port} within ${timeoutMs} ms (${last})`)
}

/**
 * Starts a broker's daemon and resolves once its MQTT port answers, both within `timeoutMs` (default:
 * the daemon's ready timeout). A failure names `name` and ends with the daemon's log tail; with
 * `stopOnFailure` a daemon that started but never answered MQTT is stopped, else it is left running.
 */
export async function startAnswering(
    daemon: Daemon,
    port: number,
    name: string,
    { timeoutMs = daemon.spec.readyTimeoutMs, stopOnFailure = false } = {},
): Promise<void> {
    await daemon.start(timeoutMs)
    try {
        await waitForMqtt(port, timeoutMs, () => daemon.running)
    } catch (e) {
        if (stopOnFailure) await daemon.stop()
        throw new Error(`${name}: ${(e as Error).message}\n${daemon.tail()}`)
    }
}
