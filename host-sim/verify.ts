/**
 * `npm run verify -- --broker URL [--duration S]`: listens to `<prefix>/#` and prints, per device,
 * the readings received, duplicates, gaps by (boot, seq), the device's own drop counters by cause
 * (mqtt.readings_dropped of its diagnostics) and the reboots seen (host-sim/ledger.ts). Exit 0 when
 * every gap is explained by a counted drop or a reboot, 1 when one is not (or nothing arrived), 2
 * for bad options. Without --duration it runs until Ctrl-C, then reports.
 */
import { BROKER_OPTIONS, cliBroker } from "./cli-broker.ts"
import { deviceLedgers, formatLedgers, ledgerInputs } from "./ledger.ts"
import { Observer } from "./observer.ts"
import { parseOptions, runMain, untilCtrlC } from "../scripts/lib/main.ts"
import { EXIT_USAGE, UserError } from "../scripts/lib/user-error.ts"

const USAGE = `usage: npm run verify -- --broker URL [--duration S] [--prefix P] [--ca FILE]

Subscribes to P/# (default devs/#) and reports, per device: readings received,
duplicates, gaps by (boot, seq), the device's own drop counters by cause, and the
reboots seen. Log in with MQTT_USER/MQTT_PASS from .env.local.

  --broker URL     mqtt://HOST:PORT or mqtts://HOST:PORT
  --duration S     listen this many seconds (default: until Ctrl-C)
  --prefix P       topic prefix (TOPIC_PREFIX; default devs)
  --ca FILE        also trust this CA (PEM) for mqtts:// (default: MQTT_CA_FILE)

Exit codes: 0 every gap explained, 1 a gap not explained (or no telemetry, or the
broker refused), 2 bad options.`

const OPTIONS = { ...BROKER_OPTIONS, duration: { type: "string" } } as const

runMain(USAGE, async () => {
    const o = parseOptions(process.argv.slice(2), OPTIONS, USAGE)
    const durationS = o.duration === undefined ? 0 : Number(o.duration)
    if (!(durationS >= 0) || !isFinite(durationS))
        throw new UserError(`--duration needs a number of seconds, got '${o.duration}'`, EXIT_USAGE)
    const { target, prefix } = cliBroker(o, USAGE)
    const observer = new Observer(target, `${prefix}/#`)
    try {
        await observer.start()
    } catch (e) {
        throw new UserError((e as Error).message)
    }
    console.log(
        `verify: listening to ${prefix}/# at ${target.url}${durationS ? ` for ${durationS} s` : " until Ctrl-C"}`,
    )
    await untilCtrlC(durationS * 1000)
    await observer.stop()
    const { readings, diagnostics } = ledgerInputs(observer.messages, prefix)
    const ledgers = deviceLedgers(readings, diagnostics)
    console.log(formatLedgers(ledgers))
    const unexplained = ledgers.reduce((n, d) => n + d.unexplained, 0)
    if (!ledgers.length) throw new UserError("no telemetry received")
    if (unexplained)
        throw new UserError(
            `${unexplained} missing reading${unexplained === 1 ? " is" : "s are"} not explained by a counted drop or a reboot`,
        )
})
