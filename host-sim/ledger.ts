/**
 * The loss ledger of one device's telemetry as a subscriber saw it: which `seq` arrived, which
 * arrived twice (QoS 1 is at least once), and which never arrived, as ranges. Pure: the e2e tests
 * and the simulator's summary read the same numbers.
 */

export interface SeqRange {
    from: number
    to: number
}

export interface Ledger {
    received: number
    duplicates: number
    firstSeq: number
    lastSeq: number
    /** Seqs in [firstSeq, lastSeq] that never arrived. */
    missing: number
    gaps: SeqRange[]
}

export function ledgerOf(seqs: readonly number[]): Ledger {
    const seen = new Set<number>()
    let duplicates = 0
    for (const s of seqs) {
        if (seen.has(s)) duplicates++
        seen.add(s)
    }
    const sorted = [...seen].sort((a, b) => a - b)
    const gaps: SeqRange[] = []
    let missing = 0
    for (let i = 1; i < sorted.length; i++) {
        if (sorted[i] === sorted[i - 1] + 1) continue
        gaps.push({ from: sorted[i - 1] + 1, to: sorted[i] - 1 })
        missing += sorted[i] - sorted[i - 1] - 1
    }
    return {
        received: seqs.length,
        duplicates,
        firstSeq: sorted.length ? sorted[0] : 0,
        lastSeq: sorted.length ? sorted[sorted.length - 1] : 0,
        missing,
        gaps,
    }
}
