/**
 * A failure the user can act on: printed as one `error: ...` message, never as
 * a stack trace. Exit codes: 1 = the environment (no board, no download,
 * a CLI failure), 2 = usage or configuration (bad option, unknown board,
 * refused settings).
 */
export class UserError extends Error {
    constructor(
        message: string,
        readonly exitCode: 1 | 2 = 1,
    ) {
        super(message)
        this.name = "UserError"
    }
}

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
