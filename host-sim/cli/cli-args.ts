/**
 * Command-line options of `npm start`. Unknown options are errors, not ignored.
 */
import { parseClusterSpec } from "../brokers/cluster.ts"
import { boardProfile, BOARD_IDS, type BoardId } from "../board/profiles.ts"

/** Up to this many devices, each runs in a process of its own (a fault in one VM's host touches no other). */
export const OWN_PROCESS_UP_TO = 8
/** The most VMs one process sustained at 1 reading/s (docs/scale.md: 150 yes, 250 did not all boot). */
export const MAX_VMS_PER_PROCESS = 150

/**
 * VMs per device process when --vms-per-process is not given: a process per device for a few devices, else
 * about one process per core, never more than MAX_VMS_PER_PROCESS in one (issue 28: `--devices 200` started
 * 200 processes of ~100 MiB and a load of 17 on 2 cores).
 */
export function autoVmsPerProcess(devices: number, cores: number): number {
    if (devices <= OWN_PROCESS_UP_TO) return 1
    const perCore = Math.ceil(devices / Math.max(1, cores))
    return Math.min(MAX_VMS_PER_PROCESS, Math.max(1, perCore))
}

/** With the dashboard, diagnostics come often enough that a fault control shows in its counters within seconds. */
export const DASHBOARD_DIAG_EVERY_MS = 10_000

export interface CliOptions {
    broker: string
    /** `KIND[:NODES]`: start a real cluster (host-sim/brokers/cluster.ts) and give every device all its nodes. */
    brokerCluster: string
    /** A CA file (PEM) trusted in addition to the system CAs; overrides MQTT_CA_FILE. */
    ca: string
    durationS: number
    periodMs: number
    devices: number
    /** VMs per device process (host-sim/device/device-host.ts); 1: a process per device; 0: chosen (autoVmsPerProcess). */
    vmsPerProcess: number
    verbose: boolean
    help: boolean
    scenarios: string[]
    /** "table" (redrawn in place), "lines" (one per message) or "auto" (table on a terminal). */
    view: string
    /** Board profile (host-sim/board/profiles.ts): --board, else BOARD from the environment, else the plain simulator. */
    board: BoardId
    /** Serve the web dashboard (host-sim/dashboard/); off with --no-dashboard. */
    dashboard: boolean
    /** 0: a free port. */
    dashboardPort: number
}

export const USAGE = `usage: npm start -- [options]

  --broker URL       use this broker (mqtt://HOST:PORT, or mqtts:// for TLS) instead of the embedded one;
                     the login is MQTT_USER/MQTT_PASS in .env.local, never part of the URL
  --broker-cluster KIND[:N]
                     start a real N-node cluster (default 3) on free ports and give every device all
                     nodes in MQTT_HOSTS: nats:3, rabbitmq:3 or aedes-redis:3 (docs/clusters.md)
  --ca FILE          also trust this CA (PEM) for an mqtts:// broker (default: MQTT_CA_FILE in .env.local)
  --duration SECONDS stop after this many seconds and exit 0 (default: run until Ctrl-C)
  --period MS        telemetry period of the simulated devices (default: PERIOD_MS in .env.defaults)
  --devices N        number of simulated devices (default 1)
  --vms-per-process K run K device VMs in each device process (default: a process per device up to 8
                     devices, else about one process per core, at most 150 VMs each);
                     ~1 MiB per VM instead of ~100 MiB per process, the way to hundreds of devices
                     (docs/scale.md)
  --board B          behave like this board: ${BOARD_IDS.filter(b => b !== "sim").join(", ")} (sockets, Wi-Fi, TLS,
                     flash, standby; docs/board-profiles.md); default: BOARD from the environment, else
                     the plain simulator (sim)
  --scenario S       fault in seconds from start, repeatable: a sensor MODE:SENSOR[@START[-END]]
                     fail:humidity@10 (leaves the bus), stuck:temperature@5 (value freezes),
                     fail:pressure@10-25 (fails, then comes back); or the network
                     wifi-down@10-40 (opens throw "network not available", the socket goes silent);
                     or the device: reboot@30 (planned restart), powercut@30[-32] (killed without
                     warning, power back at 32 s, default 1 s later); both keep the flash
  --view table|lines live view: a table redrawn in place (default on a terminal) or one line per message
  --dashboard-port N serve the web dashboard on 127.0.0.1:N (default: a free port; the URL is printed)
  --no-dashboard     no web dashboard (and no per-device fault proxy)
  --verbose          also print every device log line
  --help             this text`

function positive(name: string, v: string | undefined, integer: boolean): number {
    const n = Number(v)
    if (v === undefined || v === "" || !isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
        throw new Error(`${name} needs a positive ${integer ? "integer" : "number"}, got '${v ?? ""}'`)
    return n
}

function board(name: string, v: string | undefined): BoardId {
    if (!v) throw new Error(`${name} needs a board: ${BOARD_IDS.join(", ")}`)
    try {
        return boardProfile(v).id
    } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`)
    }
}

export function parseArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
    const o: CliOptions = {
        broker: "",
        brokerCluster: "",
        ca: "",
        durationS: 0,
        periodMs: 0,
        devices: 1,
        vmsPerProcess: 0,
        verbose: false,
        help: false,
        scenarios: [],
        view: "auto",
        board: "sim",
        dashboard: true,
        dashboardPort: 0,
    }
    if (env.BOARD) o.board = board("BOARD", env.BOARD)
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        const [name, inline] = a.includes("=")
            ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
            : [a, undefined]
        const value = () => (inline !== undefined ? inline : argv[++i])
        /** The option's value; none (or an empty one) is an error that says what it takes. */
        const needs = (what: string): string => {
            const v = value()
            if (!v) throw new Error(`${name} needs ${what}`)
            return v
        }
        switch (name) {
            case "--broker":
                o.broker = needs("a URL, e.g. mqtt://127.0.0.1:1883")
                break
            case "--broker-cluster": {
                const spec = parseClusterSpec(needs("KIND[:NODES], e.g. nats:3"))
                o.brokerCluster = `${spec.kind}:${spec.nodes}`
                break
            }
            case "--ca":
                o.ca = needs("a file, e.g. --ca ca.pem")
                break
            case "--duration":
                o.durationS = positive("--duration", value(), false)
                break
            case "--period":
                o.periodMs = positive("--period", value(), true)
                break
            case "--devices":
                o.devices = positive("--devices", value(), true)
                break
            case "--vms-per-process":
                o.vmsPerProcess = positive("--vms-per-process", value(), true)
                break
            case "--scenario":
                o.scenarios.push(
                    needs("MODE:SENSOR[@START[-END]], wifi-down@START[-END], reboot@T or powercut@T[-BACK]"),
                )
                break
            case "--view": {
                const v = value()
                if (v !== "table" && v !== "lines") throw new Error(`--view is table or lines, got '${v ?? ""}'`)
                o.view = v
                break
            }
            case "--board":
                o.board = board("--board", value())
                break
            case "--dashboard-port":
                o.dashboardPort = positive("--dashboard-port", value(), true)
                if (o.dashboardPort > 65535)
                    throw new Error(`--dashboard-port needs a port 1..65535, got ${o.dashboardPort}`)
                break
            case "--no-dashboard":
                o.dashboard = false
                break
            case "--verbose":
                o.verbose = true
                break
            case "--help":
            case "-h":
                o.help = true
                break
            default:
                throw new Error(`unknown option '${a}'`)
        }
    }
    if (o.broker && o.brokerCluster) throw new Error("--broker and --broker-cluster exclude each other")
    return o
}
