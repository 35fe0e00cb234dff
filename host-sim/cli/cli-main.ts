/**
 * The entry of a host command with its own option parser (`npm start`, `npm run dashboard`): bad
 * options print the error and the usage (exit 2), --help prints the usage (exit 0), and the exit
 * code is what `main` resolves to, or 1 with one `error: ...` line when it fails. Unlike
 * scripts/lib/main.ts it leaves Ctrl-C to the command, which stops gracefully.
 */
export function runCli<T extends { help: boolean }>(
    parse: (argv: string[]) => T,
    usage: string,
    main: (o: T) => Promise<number>,
): void {
    let o: T
    try {
        o = parse(process.argv.slice(2))
    } catch (e) {
        console.error(`error: ${(e as Error).message}\n\n${usage}`)
        process.exit(2)
    }
    if (o.help) {
        console.log(usage)
        process.exit(0)
    }
    main(o).then(
        code => process.exit(code),
        e => {
            console.error(`error: ${(e as Error).message}`)
            process.exit(1)
        },
    )
}
