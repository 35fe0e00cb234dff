/**
 * Client counters, readable from the API (the telemetry layer publishes them
 * as diagnostics). Causes are counted under short stable keys.
 */
export interface SessionStats {
    connectAttempts: number
    connects: number
    connackRefusals: number
    /** Disconnects by cause: connection_lost, keepalive_timeout, protocol_error, connect_failed, ... */
    disconnects: Record<string, number>
    published: number
    acked: number
    retransmits: number
    received: number
    protocolErrors: number
    /** Sessions the broker closed within 5 s of CONNACK (a client-id conflict shows up here). */
    shortSessions: number
    /** Drops by cause: queue_full, expired, replaced, too_large, stopped. */
    drops: Record<string, number>
    /** Drops of messages published with `tagged` (the telemetry readings), by cause. */
    taggedDrops: Record<string, number>
    /** PUBLISH -> PUBACK time of the last acknowledged message. */
    lastRttMs: number
    /** SUBACK return codes 0x80: subscriptions the broker refused (each is asked for again later). */
    subscribeRefusals: number
    /** Messages from the broker acknowledged and not delivered, by cause: too_large. */
    inboundDrops: Record<string, number>
}

/** An inbound PUBLISH over SessionOptions.maxInboundBytes (framer.ts keeps its head only). */
export const INBOUND_TOO_LARGE = "too_large"

export function newStats(): SessionStats {
    return {
        connectAttempts: 0,
        connects: 0,
        connackRefusals: 0,
        disconnects: {},
        published: 0,
        acked: 0,
        retransmits: 0,
        received: 0,
        protocolErrors: 0,
        shortSessions: 0,
        drops: {},
        taggedDrops: {},
        lastRttMs: 0,
        inboundDrops: {},
        subscribeRefusals: 0,
    }
}

export function countCause(counts: Record<string, number>, cause: string) {
    counts[cause] = (counts[cause] || 0) + 1
}

/**
 * What telemetry reads of the client (Session.snapshot): the counters, and the outbox's depth.
 * Read-only for its readers; the session refreshes it on every snapshot() call.
 */
export interface SessionSnapshot {
    readonly stats: SessionStats
    queue: number
    queueBytes: number
    /** QoS 1 messages written and not yet acknowledged, plus QoS 0 staged for a write. */
    inflight: number
    /** Tagged messages (readings, QoS 1) the broker acknowledged (outbox.ts taggedDone). */
    readingsAcked: number
    /** Filters the broker refused that wait for their retry (a new array each snapshot; usually empty). */
    subsRefused: string[]
}
