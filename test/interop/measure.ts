/**
 * What one scenario measured, from the observer's copy of the device's
 * telemetry: every message carries `seq` (+1 per reading since boot, in the
 * order the device queued them), so a gap is a message that never arrived
 * and a repeat is a resend.
 */
import type { Observer } from "../../host-sim/ledger/observer.ts"

export type WillSeen = "yes" | "no" | "n.a."
export type Status = "pass" | "fail" | "limitation" | "unavailable"

export interface Row {
    broker: string
    scenario: string
    title: string
    status: Status
    /** Highest seq the device produced in the window (the window ends when the observer has caught up). */
    sent: number
    /** Distinct seqs the observer received. */
    delivered: number
    /** Missing seqs covered by drops the device counted (queue bound, TTL): its documented policy. */
    dropped: number
    /** Missing seqs nothing explains. The bar is 0. */
    lost: number
    /** Telemetry messages received more than once. */
    duplicated: number
    will: WillSeen
    /** Measured facts worth a column of their own would make the table unreadable: they go here. */
    notes: string[]
    durationMs: number
}

export interface Counted {
    sent: number
    delivered: number
    missing: number[]
    duplicated: number
    /** Seqs in arrival order. */
    order: number[]
}

export function telemetrySeqs(obs: Observer, device: string): number[] {
    const topic = `devs/${device}/telemetry`
    return obs.messages.filter(m => m.topic === topic).map(m => JSON.parse(m.payload.toString()).seq as number)
}

export function count(obs: Observer, device: string): Counted {
    const order = telemetrySeqs(obs, device)
    const sent = Math.max(0, ...order)
    const have = new Set(order)
    const missing: number[] = []
    for (let i = 1; i <= sent; i++) if (!have.has(i)) missing.push(i)
    return { sent, delivered: have.size, missing, duplicated: order.length - have.size, order }
}

export function maxSeq(obs: Observer, device: string): number {
    return Math.max(0, ...telemetrySeqs(obs, device))
}

/** Waits until the observer has telemetry seq >= n from the device. */
export async function seqAtLeast(obs: Observer, device: string, n: number, ms: number): Promise<void> {
    const topic = `devs/${device}/telemetry`
    await obs.waitFor(
        m => m.topic === topic && JSON.parse(m.payload.toString()).seq >= n,
        ms,
        `telemetry seq ${n} from ${device}`,
    )
}

/** The retained `offline` Will (or any `offline` status) observed at or after `sinceMs`. */
export function willSince(obs: Observer, device: string, sinceMs: number): boolean {
    const topic = `devs/${device}/status`
    return obs.messages.some(m => m.topic === topic && m.payload.toString() === "offline" && m.atMs >= sinceMs)
}

export function waitWill(obs: Observer, device: string, sinceMs: number, ms: number) {
    const topic = `devs/${device}/status`
    return obs.waitFor(
        m => m.topic === topic && m.payload.toString() === "offline" && m.atMs >= sinceMs,
        ms,
        `the Will of ${device}`,
    )
}

export function waitOnline(obs: Observer, device: string, sinceMs: number, ms: number) {
    const topic = `devs/${device}/status`
    return obs.waitFor(
        m => m.topic === topic && m.payload.toString() === "online" && m.atMs >= sinceMs,
        ms,
        `${device} online`,
    )
}

/** The `mqtt` block of the device's first diagnostics report after `sinceMs`; null if none came in time. */
export async function deviceDiagnostics(
    obs: Observer,
    device: string,
    sinceMs: number,
    ms: number,
): Promise<DiagMqtt | null> {
    const topic = `devs/${device}/diagnostics`
    try {
        const m = await obs.waitFor(x => x.topic === topic && x.atMs >= sinceMs, ms, `diagnostics from ${device}`)
        return JSON.parse(m.payload.toString()).mqtt as DiagMqtt
    } catch {
        return null
    }
}

export interface DiagMqtt {
    connects: number
    disconnects: Record<string, number>
    drops: Record<string, number>
    retransmits: number
}

/** Drops that can remove telemetry: the queue bound and the TTL ("replaced" only ever hits diagnostics). */
export function telemetryDropCount(drops: Record<string, number>): number {
    return (drops.queue_full ?? 0) + (drops.expired ?? 0) + (drops.too_large ?? 0)
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
