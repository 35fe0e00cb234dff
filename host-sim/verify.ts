/**
 * `npm run verify -- --broker URL [--duration S]`: listens to `<prefix>/#` and prints, per device,
 * the readings received, duplicates, gaps by (boot, seq), the device's own drop counters by cause
 * (mqtt.readings_dropped of its diagnostics), the reboots seen, each device that went silent while it
 * listened, and when it lost the broker itself (host-sim/ledger/ledger.ts). What a boot sent before verify
 * listened is its history, not a gap (issue 28: verify on a busy broker). Exit 0 when every gap is
 * explained by a counted drop, a reboot or a hole in its own observation and no device went silent,
 * 1 when one is not or one did (or nothing arrived), 2 for bad options. Without --duration it runs
 * until Ctrl-C, then reports.
 */
import { BROKER_OPTIONS, cliBroker } from "./cli/cli-broker.ts"
import { deviceLedgers } from "./ledger/ledger.ts"
import { ledgerInputs } from "./ledger/ledger-inputs.ts"
import { formatLedgers, formatObservation, ledgerProblems } from "./ledger/ledger-report.ts"
import { Observer } from "./ledger/observer.ts"
import { parseOptions, runMain, untilCtrlC } from "../scripts/lib/main.ts"
import { EXIT_USAGE, UserError } from "../scripts/lib/user-error.ts"

const USAGE = `usage: npm run verify -- --broker URL [--duration S] [--prefix P] [--ca FILE]

Subscribes to P/# (default devs/#) and reports, per device: readings received,
duplicates, gaps by (boot, seq), the device's own drop counters by cause, the
reboots seen, and a device whose readings stopped while verify listened (silent:
no reading for max(3 periods, 1 period + 30 s)). It also says when it lost the
broker itself: readings sent meanwhile are not the device's loss, and neither
are those a boot sent before verify listened. Log in with MQTT_USER/MQTT_PASS
from .env.local.

  --broker URL     mqtt://HOST:PORT or mqtts://HOST:PORT
  --duration S     listen this many seconds (default: until Ctrl-C)
  --prefix P       topic prefix (TOPIC_PREFIX; default devs)
  --ca FILE        also trust this CA (PEM) for mqtts:// (default: MQTT_CA_FILE)

Exit codes: 0 every gap explained and no device silent, 1 a gap not explained or
a device silent (or no telemetry, or the broker refused), 2 bad options.`

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
    // The observation ends now, before the observer's own disconnect.
    const observation = observer.observation()
    await observer.stop()
    const { readings, diagnostics } = ledgerInputs(observer.messages, prefix)
    const ledgers = deviceLedgers(readings, diagnostics, observation)
    // With no device at all the error line below says so: the report would only say it a second time.
    console.log(ledgers.length ? formatLedgers(ledgers, observation) : formatObservation(observation))
    const problems = ledgerProblems(ledgers)
    if (problems.length) throw new UserError(problems.join("; "))
})
