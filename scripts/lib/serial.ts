/**
 * Is there any serial port a board could be on? Asked before starting
 * `devs devtools --serial`, which otherwise binds ports 8081-8083, reports
 * "No DeviceScript device found." and then dies with a stack trace when the
 * ports cannot be listed. Uses the `serialport` package the CLI itself uses
 * (an optional dependency of @devicescript/cli).
 */
import { createRequire } from "node:module"
import { DEVS_CLI } from "./devs-cli.ts"
import { UserError } from "./user-error.ts"

interface PortInfo {
    path: string
    manufacturer?: string
    vendorId?: string
    productId?: string
}

export async function listSerialPorts(): Promise<PortInfo[]> {
    let list: () => Promise<PortInfo[]>
    try {
        const { SerialPort } = createRequire(DEVS_CLI)("serialport") as { SerialPort: { list(): Promise<PortInfo[]> } }
        list = () => SerialPort.list()
    } catch {
        throw new UserError(
            "the `serialport` package is missing (an optional dependency of @devicescript/cli): " +
                "run `npm ci` again on a machine where it builds",
        )
    }
    try {
        return await list()
    } catch (e) {
        const err = e as Error & { code?: string }
        if (err.code === "ENOENT" && /udevadm/.test(err.message))
            throw new UserError(
                "cannot list serial ports: `udevadm` is not installed (it comes with udev/systemd), so no board can " +
                    "be detected on this machine. On a Linux desktop with udev, plug the board in and run this again.",
            )
        throw new UserError(`cannot list serial ports: ${err.message}`)
    }
}

/** At least one serial port, or a clear "no board" error. */
export async function requireSomeSerialPort(): Promise<PortInfo[]> {
    const ports = await listSerialPorts()
    if (ports.length === 0)
        throw new UserError(
            "no board found: there is no serial port. Plug the board in with a data USB cable " +
                "(the DeviceScript runtime must already be flashed on it) and run this again.",
        )
    return ports
}
