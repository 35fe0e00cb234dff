/**
 * `npm run dashboard -- --broker URL`: the web dashboard for the devices on
 * any broker, with no simulator (a user's real ESP32 and Pico W boards). The
 * login comes from .env.local as for everything else; a broker that cannot be
 * reached is printed once and shown on the page, and the dashboard keeps
 * trying. Ctrl-C (or the end of --duration) stops it.
 */
import { resolve } from "node:path"
import { brokerTarget, loginFromSettings } from "../link/broker-connect.ts"
import { runCli } from "../cli/cli-main.ts"
import { readEnvFiles } from "../cli/env-file.ts"
import { startDashboard } from "./dashboard.ts"

export const DASHBOARD_USAGE = `usage: npm run dashboard -- --broker URL [options]

  --broker URL  the broker to watch (mqtt://HOST:PORT, or mqtts:// for TLS); the login is
                MQTT_USER/MQTT_PASS in .env.local, never part of the URL
  --ca FILE     also trust this CA (PEM) for an mqtts:// broker (default: MQTT_CA_FILE)
  --port N      serve on 127.0.0.1:N (default: a free port; the URL is printed)
  --prefix P    the devices' TOPIC_PREFIX (default: TOPIC_PREFIX in the .env files, else devs)
  --duration S  stop after S seconds
  --help        this text`

export interface DashboardArgs {
    broker: string
    ca: string
    port: number
    prefix: string
    durationS: number
    help: boolean
}

export function parseDashboardArgs(argv: string[]): DashboardArgs {
    const o: DashboardArgs = { broker: "", ca: "", port: 0, prefix: "", durationS: 0, help: false }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        const eq = a.indexOf("=")
        const name = eq > 0 ? a.slice(0, eq) : a
        const value = () => {
            const v = eq > 0 ? a.slice(eq + 1) : argv[++i]
            if (!v) throw new Error(`${name} needs a value`)
            return v
        }
        const positive = (v: string, max = Infinity) => {
            const n = Number(v)
            if (!Number.isInteger(n) || n <= 0 || n > max)
                throw new Error(`${name} needs a positive integer${max < Infinity ? ` up to ${max}` : ""}, got '${v}'`)
            return n
        }
        if (name === "--broker") o.broker = value()
        else if (name === "--ca") o.ca = value()
        else if (name === "--port") o.port = positive(value(), 65535)
        else if (name === "--prefix") o.prefix = value()
        else if (name === "--duration") o.durationS = positive(value())
        else if (name === "--help" || name === "-h") o.help = true
        else throw new Error(`unknown option '${a}'`)
    }
    if (!o.help && !o.broker) throw new Error("--broker is required, e.g. --broker mqtt://192.168.1.10:1883")
    if (/[/+#]/.test(o.prefix)) throw new Error(`--prefix is one topic level, got '${o.prefix}'`)
    return o
}

async function main(o: DashboardArgs): Promise<number> {
    const dir = process.cwd()
    const env = readEnvFiles(dir)
    const target = brokerTarget(o.broker, loginFromSettings(env, dir, o.ca ? resolve(o.ca) : ""))
    const prefix = o.prefix || String(env.TOPIC_PREFIX ?? "devs")
    const d = await startDashboard({ target, prefix, port: o.port })
    console.log(`dashboard: ${d.url}`)
    console.log(
        `broker: ${target.url}${target.username ? ` as ${target.username}` : ""}; watching ${prefix}/# and homeassistant/#`,
    )
    if (d.state.broker.state !== "connected")
        console.error(`error: ${d.state.broker.error} (shown on the page; retrying)`)
    const stop = () => d.stop().then(() => process.exit(0))
    process.once("SIGINT", () => void stop())
    process.once("SIGTERM", () => void stop())
    if (o.durationS) {
        await new Promise(r => setTimeout(r, o.durationS * 1000))
        await d.stop()
        return 0
    }
    await new Promise(() => {})
    return 0
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename))
    runCli(parseDashboardArgs, DASHBOARD_USAGE, main)
