/**
 * The numbers and names the outbox shares with its callers: where a message is (MSG_*), why one
 * was dropped (DROP_*, the keys of the drop counters and of readings_dropped), and the options of
 * `Outbox.add` (ADD_*). See outbox.ts.
 *
 * Portable: imports nothing from @devicescript/*.
 */

export const MSG_QUEUED = 0
export const MSG_INFLIGHT = 1
export const MSG_DONE = 2
export const MSG_DROPPED = 3
/** Finished longer ago than the outcome memory reaches. */
export const MSG_UNKNOWN = 4

export const DROP_QUEUE_FULL = "queue_full"
export const DROP_EXPIRED = "expired"
export const DROP_REPLACED = "replaced"
export const DROP_TOO_LARGE = "too_large"
export const DROP_STOPPED = "stopped"
/** Outcome codes stored per finished ticket: 0 done, else 1 + index here. */
export const DROP_REASONS = [DROP_QUEUE_FULL, DROP_EXPIRED, DROP_REPLACED, DROP_TOO_LARGE, DROP_STOPPED]

/** Finished messages whose outcome stateOf can still tell. */
export const OUTCOMES_KEPT = 16

/** `add` options, or-ed with the QoS (0 or 1) in the low bits (the VM caps a call's arguments). */
export const ADD_RETAIN = 4
/** Replaces an older queued message to the same topic; a full queue refuses it rather than evict. */
export const ADD_REPLACE = 8
export const ADD_TAGGED = 16
