/**
 * Two guesses the supervisor makes from a run of failures, kept apart from the state machine:
 * - log flood: the same failure again is logged at info level once per LOG_REPEAT_EVERY attempts
 *   (checklist S8 "no log flood"); a connect starts a fresh count;
 * - client-id conflict: a broker that keeps closing fresh sessions within SHORT_SESSION_MS of
 *   CONNACK usually means a second client with our id takes the session over [MQTT-3.1.4-2] (S12).
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

/** A session that ended this way counts towards SHORT_SESSIONS_WARN (a stable one resets the count). */
export function isShortSession(lastedMs: number, cause: string): boolean {
    return cause === "connection_lost" && lastedMs < SHORT_SESSION_MS
}
