/**
 * The error a QoS 1 publish rejects with: `reason` is one of the drop causes
 * (queue_full, expired, replaced, too_large, stopped).
 */
export class PublishError extends Error {
    constructor(
        readonly topic: string,
        readonly reason: string,
    ) {
        super(`publish to ${topic} failed: ${reason}`)
        this.name = "PublishError"
    }
}

/** The message of anything thrown (the VM can throw non-Errors). */
export function errorMessage(e: unknown): string {
    const m = (e as Error).message
    return m ? m : "" + e
}
