/**
 * `npm run logs`: shows the console output of the board on USB (its
 * `console.log` lines, prefixed with the device's short id) until Ctrl-C, by
 * running `devs devtools --serial` without a program, so nothing is deployed.
 */
import { describeFailure, runDevs } from "./lib/devs-cli.ts"
import { parseOptions, runMain } from "./lib/main.ts"
import { requireSomeSerialPort } from "./lib/serial.ts"
import { UserError } from "./lib/user-error.ts"

const USAGE = `usage: npm run logs [-- --usb]

Prints the log of the DeviceScript board on USB until Ctrl-C. Lines look like
"<id>> config: broker mqtt://..., device ..." and "<id>> mqtt: connecting -> connected".

  --usb     talk to the board over USB (HF2) instead of USB serial
  --help    this text

Exit codes: 0 stopped with Ctrl-C, 1 no board / the tools failed, 2 bad options.`

const OPTIONS = { usb: { type: "boolean" } } as const

/** Device lines (warnings and errors arrive on stderr) look like "<short id>> text". */
const DEVICE_LINE = /^\S+> /

runMain(USAGE, async () => {
    const o = parseOptions(process.argv.slice(2), OPTIONS, USAGE)
    if (!o.usb) await requireSomeSerialPort()
    console.log("waiting for the board's log (Ctrl-C to stop)")
    const run = await runDevs(["devtools", o.usb ? "--usb" : "--serial"], {
        cwd: process.cwd(),
        logName: "logs",
        echoStderr: line => DEVICE_LINE.test(line),
    })
    throw new UserError(describeFailure("the log stopped", run))
})
