/**
 * Subscriptions the application asked for, and SUBSCRIBE/UNSUBSCRIBE requests
 * waiting for their SUBACK/UNSUBACK. Subscriptions are kept so they can be
 * sent again, exactly once, after a reconnect without a session (C76).
 */
import { without } from "./list"
import { topicMatches } from "./topic"

export type MessageHandler = (topic: string, payload: Buffer, retain: boolean) => void

export interface Subscription {
    filter: string
    qos: number
    handler: MessageHandler
    /** Refusals (SUBACK 0x80) in a row; 0 once granted. */
    refusals?: number
    /** When a refused subscription is asked for again; 0 while granted or asked for. */
    retryAtMs?: number
}

/** A refused subscription is asked for again after 30 s, doubling up to 10 minutes (issue 22). */
export const SUB_RETRY_BASE_MS = 30000
export const SUB_RETRY_CAP_MS = 600000

export function subRetryDelayMs(refusals: number): number {
    let d = SUB_RETRY_BASE_MS
    for (let i = 1; i < refusals && d < SUB_RETRY_CAP_MS; i++) d *= 2
    return d < SUB_RETRY_CAP_MS ? d : SUB_RETRY_CAP_MS
}

export const REQ_PENDING = 0
export const REQ_SENT = 1
export const REQ_DONE = 2
export const REQ_FAILED = 3

export interface Request {
    /** SUBSCRIBE or UNSUBSCRIBE packet type. */
    type: number
    id: number
    filters: string[]
    qos: number[]
    state: number
    /** ms (mod 2^32) it was last written at; read while REQ_SENT (ack-watch.ts). */
    sentAtMs: number
    /** SUBACK return codes, in filter order. */
    granted: number[]
    error: string
}

export class Subscriptions {
    subs: Subscription[] = []
    requests: Request[] = []

    add(s: Subscription) {
        this.remove(s.filter)
        this.subs.push(s)
    }

    remove(filter: string) {
        this.subs = this.subs.filter(s => s.filter !== filter)
    }

    find(filter: string): Subscription | null {
        for (const s of this.subs) if (s.filter === filter) return s
        return null
    }

    /** Filters the broker refused and that wait for their retry. */
    refused(): string[] {
        const r: string[] = []
        for (const s of this.subs) if (s.retryAtMs) r.push(s.filter)
        return r
    }

    idInUse(id: number): boolean {
        for (const r of this.requests) if (r.id === id && r.state === REQ_SENT) return true
        return false
    }

    /** Request matching an acknowledgement, or null: an unknown id is ignored (C16). */
    take(type: number, id: number): Request | null {
        for (const r of this.requests) {
            if (r.type === type && r.id === id && r.state === REQ_SENT) {
                this.requests = without(this.requests, r)
                return r
            }
        }
        return null
    }

    /** Handlers whose filter matches `topic` (C71). */
    matching(topic: string): MessageHandler[] {
        const r: MessageHandler[] = []
        for (const s of this.subs) if (topicMatches(s.filter, topic)) r.push(s.handler)
        return r
    }
}
