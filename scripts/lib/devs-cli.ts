/**
 * Runs the DeviceScript CLI (`devs`) and turns its failures into one clear
 * message. The CLI itself often ends with a Node stack trace (no network, no
 * udevadm, no board): its stderr is captured and written to a log file, and
 * only the classified message is shown. Its stdout (progress, esptool output)
 * is passed through.
 */
import { spawn } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, relative } from "node:path"
import { adopt, killGroup } from "./main.ts"

export const DEVS_CLI = createRequire(import.meta.url).resolve("@devicescript/cli/devicescript")

/** `process.exit` code of `devs devtools` / `devs bundle` when port 8081-8083 is taken (EXIT_CODE_EADDRINUSE in the CLI). */
const EXIT_EADDRINUSE = 100

export interface DevsRun {
    code: number | null
    stdout: string
    stderr: string
    /** True when `stopWhen` matched and the CLI was stopped on purpose. */
    stopped: boolean
    timedOut: boolean
    logFile: string
}

export interface DevsRunOptions {
    cwd: string
    /** Name of the log file under .devicescript/logs/. */
    logName: string
    /** Show the CLI's stdout lines (default true). */
    echo?: (line: string) => boolean
    /** Show these stderr lines (default none: stderr is where the stack traces go). */
    echoStderr?: (line: string) => boolean
    /** Stop the CLI (whole process group) once a stdout line matches: for long-running `devs devtools`. */
    stopWhen?: (line: string) => boolean
    timeoutMs?: number
}

export function runDevs(args: string[], o: DevsRunOptions): Promise<DevsRun> {
    const child = adopt(
        spawn(process.execPath, [DEVS_CLI, "--no-colors", ...args], {
            cwd: o.cwd,
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, FORCE_COLOR: "0" },
        }),
    )
    let stdout = ""
    let stderr = ""
    let partial = ""
    let partialErr = ""
    let stopped = false
    let timedOut = false
    child.stdout!.setEncoding("utf8")
    child.stderr!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
        stdout += chunk
        const lines = (partial + chunk).split(/\r?\n/)
        partial = lines.pop() ?? ""
        for (const line of lines) onLine(line)
    })
    child.stderr!.on("data", (chunk: string) => {
        stderr += chunk
        if (!o.echoStderr) return
        const lines = (partialErr + chunk).split(/\r?\n/)
        partialErr = lines.pop() ?? ""
        for (const line of lines) if (o.echoStderr(line)) console.error(line)
    })
    function onLine(line: string) {
        if (o.echo ? o.echo(line) : true) console.log(line)
        if (!stopped && o.stopWhen?.(line)) {
            stopped = true
            killGroup(child)
        }
    }
    const timer = o.timeoutMs
        ? setTimeout(() => {
              timedOut = true
              killGroup(child, "SIGKILL")
          }, o.timeoutMs)
        : undefined
    return new Promise(resolve => {
        child.once("close", code => {
            if (timer) clearTimeout(timer)
            if (partial) onLine(partial)
            if (timedOut) stderr += `\n[stopped: no result after ${o.timeoutMs} ms]`
            const logFile = writeLog(o.cwd, o.logName, args, stdout, stderr)
            resolve({ code, stdout, stderr, stopped, timedOut, logFile })
        })
    })
}

function writeLog(cwd: string, name: string, args: string[], stdout: string, stderr: string): string {
    const dir = join(cwd, ".devicescript", "logs")
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${name}.log`)
    writeFileSync(file, `$ devs ${args.join(" ")}\n\n--- stdout\n${stdout}\n--- stderr\n${stderr}\n`)
    return relative(cwd, file)
}

const RULES: { re: RegExp; message: (m: RegExpMatchArray) => string }[] = [
    {
        re: /spawn udevadm ENOENT/,
        message: () =>
            "cannot list serial ports: `udevadm` is not installed (it comes with udev/systemd), so no board can be " +
            "detected on this machine. On a Linux desktop with udev, plug the board in and run this again.",
    },
    {
        re: /no serial ports found/,
        message: () =>
            "no board found: there is no serial port. Plug the ESP32 board in with a data USB cable " +
            "(if it is still not seen, hold BOOT while plugging it in) and run this again.",
    },
    {
        re: /no viable ports found/,
        message: () =>
            "no ESP32 USB-serial port found among the serial ports (see the list above): pass the right one with --port",
    },
    { re: /port (\S+) not found/, message: m => `no board found: serial port ${m[1]} does not exist` },
    {
        re: /more than one port viable; use '--port ([^']+)'/,
        message: m => `several serial ports could be the board: choose one with --port (for example --port ${m[1]})`,
    },
    {
        re: /esptool\.py not found/,
        message: () => "esptool is not installed: `pip install esptool` (v4.5 or later), then run this again",
    },
    {
        re: /no drives found/,
        message: () =>
            "no Pico W in BOOTSEL mode found: hold BOOTSEL while plugging it in; its RPI-RP2 drive must be mounted " +
            "(on Linux under /media/$USER/RPI-RP2), or pass its mount point with --drive",
    },
    {
        re: /multiple drives found/,
        message: () => "several RPI-RP2 drives are mounted: choose one with --drive",
    },
    { re: /Can't start flashing[^\n]*/, message: m => m[0] },
    { re: /Chip mismatch[^\n]*/, message: m => m[0] },
    {
        re: /fetch failed|can't fetch|getaddrinfo|ENOTFOUND|EAI_AGAIN/,
        message: () =>
            "cannot download the DeviceScript runtime image (no internet access?); " +
            "download it on another machine and pass it with --image",
    },
    {
        re: /EACCES[^\n]*(\/dev\/\S+)/,
        message: m => `permission denied on ${m[1]}: add yourself to the 'dialout' group (then log in again)`,
    },
    { re: /No DeviceScript device found/, message: () => NO_DEVICE },
    {
        re: /Multiple DeviceScript device found/,
        message: () => "more than one DeviceScript board is connected: unplug all but the one to deploy to",
    },
    { re: /fatal error: ([^\n]+)/, message: m => m[1] },
    { re: /fatal: ([^\n]+)/, message: m => m[1] },
]

export const NO_DEVICE =
    "no DeviceScript board answered over USB serial: is the DeviceScript runtime flashed on it " +
    "(npm run flash:esp32 / flash:pico)? Is it plugged in with a data cable? Is another program " +
    "(VS Code's DeviceScript extension, a serial monitor) holding the port?"

/** One message for a failed CLI run; the full output stays in the log file. */
export function describeFailure(what: string, run: Pick<DevsRun, "code" | "stdout" | "stderr" | "logFile">): string {
    const all = `${run.stdout}\n${run.stderr}`
    const see = ` (full output: ${run.logFile})`
    if (run.code === EXIT_EADDRINUSE)
        return (
            `${what}: ports 8081-8083 are taken, probably by another \`devs devtools\` ` +
            `(VS Code's DeviceScript extension starts one): stop it and run this again${see}`
        )
    for (const rule of RULES) {
        const m = all.match(rule.re)
        if (m) return `${what}: ${rule.message(m)}${see}`
    }
    const firstError = /^\s*(?:\w*Error|error)[:\s]+([^\n]+)/m.exec(run.stderr)?.[1]
    const reason = firstError ?? `exit code ${run.code}`
    return `${what}: ${reason}${see}`
}
