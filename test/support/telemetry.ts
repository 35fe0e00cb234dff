/**
 * What an independent subscriber saw of a device's telemetry: its `seq` numbers, a wait for one,
 * and the ones that never came. Shared by the e2e suites.
 */
import type { Observer } from "../../host-sim/ledger/observer.ts"
import { within } from "../../host-sim/cli/within.ts"

export function seqsOf(obs: Observer, device: string): number[] {
    return obs.messages
        .filter(m => m.topic === `devs/${device}/telemetry`)
        .map(m => JSON.parse(m.payload.toString()).seq as number)
}

export function seqAtLeast(obs: Observer, device: string, n: number, ms: number) {
    return within(
        obs.waitFor(
            m => m.topic === `devs/${device}/telemetry` && JSON.parse(m.payload.toString()).seq >= n,
            ms + 1000,
        ),
        ms,
        `telemetry seq ${n} from ${device}`,
    )
}

/** Sequence numbers 1..max that never arrived. */
export function missing(seqs: number[]): number[] {
    const max = Math.max(0, ...seqs)
    const have = new Set(seqs)
    const out: number[] = []
    for (let i = 1; i <= max; i++) if (!have.has(i)) out.push(i)
    return out
}
