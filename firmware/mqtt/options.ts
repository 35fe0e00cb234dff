/**
 * What a session is configured with (SessionOptions, SESSION_DEFAULTS), what one publish asks for,
 * and the work budget every loop of the client keeps to.
 */
import { Broker } from "./brokers"
import { BACKOFF_TRANSIENT } from "./backoff"
import { Will } from "./packet"

export interface BirthMessage {
    topic: string
    payload: Buffer
    retain: boolean
}

export interface SessionOptions {
    host: string
    port: number
    tls: boolean
    /** MQTT_HOSTS, parsed at boot (brokers.ts); empty: the one broker above. */
    brokers: Broker[]
    clientId: string
    username: string
    /** Never logged, never placed in any payload. */
    password: Buffer | null
    keepAliveS: number
    clean: boolean
    will: Will | null
    /** Published (QoS 1) after every CONNACK, ahead of queued messages. */
    birth: BirthMessage | null
    /** Payload published retained to the birth topic on a planned stop, before DISCONNECT. */
    offlinePayload: Buffer | null
    maxInflight: number
    queueMaxCount: number
    queueMaxBytes: number
    /** Bytes handed to the socket and not finished (QoS 1 until PUBACK): paces writes by bytes. */
    windowBytes: number
    /** Largest PUBLISH sent (also bounded by the window). */
    maxPacketBytes: number
    /** Largest packet received: a larger one closes the connection (C81). Commands are small. */
    maxInboundBytes: number
    connectTimeoutMs: number
    /** A QoS 1 PUBLISH or (UN)SUBSCRIBE unanswered this long closes the link; 0: max(2 × keepalive, 30 s) (ack-watch.ts). */
    ackTimeoutMs: number
    /** A connection that lasted this long resets the backoff. */
    stableMs: number
    /** Transient failures: full-jitter backoff from this base up to the cap. */
    retryBaseMs: number
    retryCapMs: number
}

export const SESSION_DEFAULTS: SessionOptions = {
    host: "127.0.0.1",
    port: 1883,
    tls: false,
    brokers: [],
    clientId: "",
    username: "",
    password: null,
    keepAliveS: 30,
    clean: false,
    will: null,
    birth: null,
    offlinePayload: null,
    maxInflight: 32,
    queueMaxCount: 80,
    queueMaxBytes: 10240,
    windowBytes: 1400,
    maxPacketBytes: 1400,
    maxInboundBytes: 1024,
    connectTimeoutMs: 10000,
    ackTimeoutMs: 0,
    stableMs: 60000,
    retryBaseMs: BACKOFF_TRANSIENT.baseMs,
    retryCapMs: BACKOFF_TRANSIENT.capMs,
}

/**
 * Work budget of one fiber run: at most SLICE_ITEMS packets staged or written, or inbound frames
 * handled, and SLICE_BYTES bytes, then the loop yields. The VM's watchdog counts opcodes (128 K per
 * fiber run, the same on ESP32 and Pico W); copies are native, so the cost is per packet
 * bookkeeping: `npm run bench` measures how many packets one fiber run can take (step_margin).
 */
export const SLICE_ITEMS = 8
export const SLICE_BYTES = 4096
/** Producer calls (waitForRoom) between two yields. */
export const YIELD_EVERY = 16
/** Largest socket write: consecutive packets go out together up to this size (ESP32 TLS needs < 4096). */
export const TX_MAX_BYTES = 1024

export interface PublishOptions {
    qos: number
    retain: boolean
    /** Drop the message if it waited longer than this while queued (0 = never). */
    ttlMs: number
    /**
     * A newer message to the same topic replaces an older queued one (discovery, diagnostics, time
     * requests); and a full queue refuses this message rather than drop the oldest queued one for
     * it, so these never push a reading out of the queue.
     */
    replace: boolean
    /** Drops of tagged messages are also counted in stats.taggedDrops (telemetry readings: the loss ledger). */
    tagged?: boolean
}
