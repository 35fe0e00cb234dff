/**
 * Two guesses the supervisor makes from a run of failures, kept apart from the state machine:
 * - log flood: the same failure again is logged at info level once per LOG_REPEAT_EVERY attempts
 *   (checklist S8 "no log flood"); a connect starts a fresh count;
 * - client-id conflict: a broker that keeps closing fresh sessions within SHORT_SESSION_MS of
 *   CONNACK usually means a second client with our id takes the session over [MQTT-3.1.4-2] (S12);
 *   links reset by the network right after CONNACK do not count (closedByBroker), and they and
 *   sessions the device closed on a protocol violation (endedByViolation) break the run;
 * - a session that delivered: one in which the broker acknowledged a message and that the link then
 *   lost (not the broker's close, not a violation) restarts the backoff (earnedBackoffReset).
 */

/** A failure that repeats is logged at info level once per this many attempts. */
const LOG_REPEAT_EVERY = 10
/** A session closed by the broker this soon after CONNACK counts as "short" (S12). */
export const SHORT_SESSION_MS = 5000
/** After this many short sessions in a row the client suspects a client-id conflict. */
export const SHORT_SESSIONS_WARN = 3

export class RepeatedFailures {
    private cause = ""
    /** Attempts since the cause last changed. */
    repeats = 0
    /** This attempt repeats an earlier failure and is not the one in LOG_REPEAT_EVERY that is logged. */
    quiet = false

    failed(cause: string) {
        const repeat = cause === this.cause
        this.repeats = repeat ? this.repeats + 1 : 0
        this.cause = cause
        this.quiet = repeat && this.repeats % LOG_REPEAT_EVERY !== 0
    }

    connected() {
        this.quiet = false
        this.cause = ""
    }
}

/** A session that ended this way is short (stats.shortSessions); a stable one resets the run. */
export function isShortSession(lastedMs: number, cause: string): boolean {
    return cause === "connection_lost" && lastedMs < SHORT_SESSION_MS
}

/**
 * Pico W's runtime reports a clean close by the peer as this error before the close
 * (pico:src/lwip_sock.c:94-97; host-sim/board/profiles.ts); the simulator and ESP32 report none.
 */
const PICOW_PEER_CLOSE = "recv without buf?"

/**
 * Whether the broker closed the link (a FIN), from the transport's close reason. A takeover is the
 * broker closing our session; a reset (ECONNRESET, ESP32's "recv error", Pico W's "sock error: -14")
 * is the network's doing, and a run of them (a flaky NAT, a proxy that resets) is no id conflict.
 */
export function closedByBroker(closeReason: string): boolean {
    return closeReason === "" || closeReason === PICOW_PEER_CLOSE
}

/**
 * Whether the device closed the session on a protocol violation (inbound.ts `violation`). A broker
 * that sends garbage is not handing our session to another client: such a session breaks a run of
 * short ones (issue 30: a fuzzing broker's closes, dozens of sessions apart, counted as 3 in a row).
 */
export function endedByViolation(cause: string): boolean {
    return cause.indexOf("protocol_error:") === 0
}

/**
 * Whether a session that ended before `stableMs` still restarts the transient backoff from its first
 * step (issue 23). The backoff protects a broker that cannot take the device; a session in which the
 * broker acknowledged a message (`delivered`: a PUBACK for a reading, the birth message, ...) proves
 * the broker and the path to it work, so a link that then resets or stalls (a flaky NAT, Wi-Fi) is
 * reconnected after at most the base delay instead of a wait that grew with every earlier reset.
 * Not for the broker's own close (a client-id takeover, S12: a takeover's sessions may deliver too,
 * and must keep backing off, or two devices with one id ping-pong) or a protocol violation.
 */
export function earnedBackoffReset(delivered: boolean, cause: string, closeReason: string): boolean {
    if (!delivered || endedByViolation(cause)) return false
    return !(cause === "connection_lost" && closedByBroker(closeReason))
}
