/**
 * `<prefix>/<device>/log`: the device's answers to commands and its reports of what it refused
 * (QoS 1, not retained, `{"level":...,"msg":...}`), each also printed on the console. A listener
 * object, not a closure, so that nothing holds its creator's frame (see Session.onConnected).
 */
import { InboundDropListener, Session } from "../mqtt/session"

export class DeviceLog implements InboundDropListener {
    constructor(
        private readonly session: Session,
        private readonly topic: string,
        private readonly maxInboundBytes: number,
    ) {}

    /** `replace`: while this answer waits in the queue, a newer replacing one takes its place (outbox.ts). */
    say(level: string, source: string, msg: string, replace: boolean) {
        console.log(`${source}: ${msg}`)
        this.session.publish(this.topic, Buffer.from(JSON.stringify({ level: level, msg: msg })), {
            qos: 1,
            retain: false,
            ttlMs: 0,
            replace: replace,
        })
    }

    /** Issue 22: a message too large is acknowledged and dropped by the session; it is answered here once. */
    inboundDropped(topic: string, bytes: number, cause: string) {
        this.say(
            "error",
            "mqtt",
            `dropped a ${bytes} B message on ${topic} (${cause}): the device takes at most ${this.maxInboundBytes} B`,
            true,
        )
    }
}
