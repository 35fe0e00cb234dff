/**
 * `npm run time-server -- --broker URL`: answers the devices' time requests (`<prefix>/+/time/req`)
 * with this host's Unix time, so their readings carry `ts` (host-sim/time/time-responder.ts). Run it on
 * a machine whose clock is kept by NTP, next to the broker (for example beside Home Assistant);
 * docs/time.md. Runs until Ctrl-C.
 */
import { BROKER_OPTIONS, cliBroker } from "./cli/cli-broker.ts"
import { TimeResponder } from "./time/time-responder.ts"
import { parseOptions, runMain, untilCtrlC } from "../scripts/lib/main.ts"
import { UserError } from "../scripts/lib/user-error.ts"

const USAGE = `usage: npm run time-server -- --broker URL [--prefix P] [--ca FILE] [--quiet]

Answers every device's time request on P/<device>/time/req (default devs) with this
host's clock, until Ctrl-C. Log in with MQTT_USER/MQTT_PASS from .env.local.

  --broker URL     mqtt://HOST:PORT or mqtts://HOST:PORT
  --prefix P       topic prefix (TOPIC_PREFIX; default devs)
  --ca FILE        also trust this CA (PEM) for mqtts:// (default: MQTT_CA_FILE)
  --quiet          do not print a line per answer

Exit codes: 0 stopped with Ctrl-C, 1 the broker refused, 2 bad options.`

const OPTIONS = { ...BROKER_OPTIONS, quiet: { type: "boolean" } } as const

runMain(USAGE, async () => {
    const o = parseOptions(process.argv.slice(2), OPTIONS, USAGE)
    const { target, prefix } = cliBroker(o, USAGE)
    const responder = new TimeResponder(
        target,
        prefix,
        o.quiet ? undefined : (device, answer) => console.log(`${new Date().toISOString()}  ${device}  ${answer}`),
    )
    try {
        await responder.start()
    } catch (e) {
        throw new UserError((e as Error).message)
    }
    console.log(`time-server: answering ${prefix}/+/time/req at ${target.url} (Ctrl-C to stop)`)
    await untilCtrlC()
    await responder.stop()
})
