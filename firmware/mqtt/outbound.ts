/**
 * What the session writes while connected: pending SUBSCRIBE/UNSUBSCRIBE requests, then the
 * outbox's packets in runs, paced by the window and the work budget; and the last words of a
 * planned stop.
 */
import { copyOut } from "./bytes"
import { SLICE_BYTES, SLICE_ITEMS, TX_MAX_BYTES } from "./options"
import { encodeDisconnect, encodePublish, encodeSubscribe, encodeUnsubscribe, packetName, SUBSCRIBE } from "./packet"
import type { Session } from "./session"
import { REQ_PENDING, REQ_SENT } from "./subscriptions"
import { mod, U32 } from "./mod32"

/**
 * Sends pending requests, then moves queued packets into the window and writes them, runs of
 * consecutive packets in one write, while the window has room. Yields after SLICE_ITEMS packets
 * or SLICE_BYTES bytes, so a reconnect with a full queue never trips the VM's watchdog.
 */
export async function flush(s: Session): Promise<string> {
    retryRefused(s)
    for (const r of s.subs.requests) {
        if (r.state !== REQ_PENDING) continue
        r.id = s.outbox.window.allocId(s.idInUse)
        const pkt = r.type === SUBSCRIBE ? encodeSubscribe(r.id, r.filters, r.qos) : encodeUnsubscribe(r.id, r.filters)
        if (!s.send(pkt, packetName(r.type))) return "write_failed"
        r.state = REQ_SENT
        r.sentAtMs = mod(s.rt.now(), U32)
    }
    const o = s.outbox
    const w = o.window
    let items = 0
    let bytes = 0
    let wrote = false
    for (;;) {
        while (w.nextRun(TX_MAX_BYTES)) {
            // Not written yet: the run stays in the window's queue until the peer has heard the last ones.
            if (s.txHeld(w.runTo - w.runFrom)) return ""
            if (!s.send(copyOut(w.ring.data, w.runFrom, w.runTo), "PUBLISH")) return "write_failed"
            const n = w.runWritten(s.rt.now())
            s.stats.published += n
            wrote = true
            items += n
            bytes += w.runTo - w.runFrom
            if (items >= SLICE_ITEMS || bytes >= SLICE_BYTES) {
                items = 0
                bytes = 0
                await s.rt.sleep(0)
                if (s.stopRequested || !s.link.connected) return ""
            }
        }
        const n = o.stage(s.rt.now(), SLICE_BYTES - bytes, SLICE_ITEMS - items, s.idInUse)
        if (n === 0) break
        items += n
    }
    // QoS 0 messages finished: a producer waiting for room may go on.
    if (wrote) s.changed.notify()
    return ""
}

/** Asks again for each refused subscription whose time has come (inbound.ts sets it). */
function retryRefused(s: Session) {
    const now = s.rt.now()
    for (const sub of s.subs.subs) {
        if (!sub.retryAtMs) continue
        if (now < sub.retryAtMs) {
            s.wakeAt(sub.retryAtMs)
            continue
        }
        sub.retryAtMs = 0
        s.request(SUBSCRIBE, [sub.filter], [sub.qos])
    }
}

/** A planned stop: the retained offline status (no Will follows a DISCONNECT), then DISCONNECT. */
export function gracefulStop(s: Session): string {
    const b = s.opts.birth
    if (b && s.opts.offlinePayload)
        s.send(
            encodePublish({ topic: b.topic, payload: s.opts.offlinePayload, qos: 0, retain: true, dup: false, id: 0 }),
            "PUBLISH",
        )
    // After DISCONNECT nothing more is sent, and the connection is closed [MQTT-3.14.4-1/-2].
    s.send(encodeDisconnect(), "DISCONNECT")
    return ""
}
