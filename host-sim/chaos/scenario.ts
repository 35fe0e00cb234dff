/**
 * `--scenario` (seconds from start), repeatable, applied to every simulated device:
 *   fail:humidity@10        humidity leaves the bus at 10 s and stays away
 *   stuck:temperature@5     temperature freezes at 5 s
 *   fail:pressure@10-25     pressure fails at 10 s and comes back at 25 s
 *   wifi-down@10-40         the Wi-Fi access point goes away at 10 s and is back at 40 s: opens throw
 *                           `network not available`, the open socket goes silent (no RST, no close)
 *   reboot@30               a planned restart at 30 s: the VM stops, its connection closes, it boots again
 *                           at once from its flash (settings kept, RAM queue and seq lost, a new boot id)
 *   powercut@30[-32]        the power goes at 30 s without warning (the connection goes silent, RAM is
 *                           lost) and comes back at 32 s (default: 1 s later); the flash is kept
 */
import { SENSOR_MODES, type SensorMode } from "../sensors/sim-sensors.ts"

export interface Scenario {
    mode: SensorMode
    sensor: string
    startS: number
    /** 0: never ends. */
    endS: number
}

export interface WifiScenario {
    wifi: "down"
    startS: number
    /** 0: never comes back. */
    endS: number
}

export interface RestartScenario {
    restart: "reboot" | "powercut"
    startS: number
    /** When the power is back (powercut); the same as startS for a reboot. */
    endS: number
}

export type AnyScenario = Scenario | WifiScenario | RestartScenario

/** A power cut without an end lasts this long. */
export const POWERCUT_DEFAULT_OFF_S = 1

/** What a scenario acts on: one simulated device (SimDevice). */
export interface ScenarioTarget {
    setSensorMode(sensor: string, mode: SensorMode): void
    setWifi(up: boolean): void
    restart(kind: "reboot" | "powercut", offMs: number): void
}

const WINDOW = String.raw`(?:@(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?)?`
const USAGE =
    "expected MODE:SENSOR[@START[-END]], wifi-down@START[-END], reboot@T or powercut@T[-BACK], e.g. fail:humidity@10-25"

export function isWifiScenario(s: AnyScenario): s is WifiScenario {
    return "wifi" in s
}

export function isRestartScenario(s: AnyScenario): s is RestartScenario {
    return "restart" in s
}

export function parseScenario(text: string, sensors: string[]): AnyScenario {
    const w = new RegExp(`^wifi-down${WINDOW}$`).exec(text)
    if (w) return { wifi: "down", ...window(text, w[1], w[2]) }
    const r = new RegExp(`^(reboot|powercut)@(\\d+(?:\\.\\d+)?)(?:-(\\d+(?:\\.\\d+)?))?$`).exec(text)
    if (r) {
        if (r[1] === "reboot" && r[3])
            throw new Error(`invalid --scenario '${text}': a reboot takes one time (reboot@T)`)
        const w2 = window(text, r[2], r[3])
        const endS = r[1] === "reboot" ? w2.startS : w2.endS || w2.startS + POWERCUT_DEFAULT_OFF_S
        return { restart: r[1] as "reboot" | "powercut", startS: w2.startS, endS }
    }
    const m = new RegExp(`^([a-z]+):([a-z0-9]+)${WINDOW}$`).exec(text)
    if (!m) throw new Error(`invalid --scenario '${text}': ${USAGE}`)
    const mode = m[1] as SensorMode
    if (!SENSOR_MODES.includes(mode) || mode === "ok")
        throw new Error(`invalid --scenario mode '${m[1]}': use fail or stuck`)
    if (!sensors.includes(m[2]))
        throw new Error(`invalid --scenario sensor '${m[2]}': simulated sensors are ${sensors.join(", ")}`)
    return { mode, sensor: m[2], ...window(text, m[3], m[4]) }
}

function window(text: string, start?: string, end?: string): { startS: number; endS: number } {
    const startS = start ? Number(start) : 0
    const endS = end ? Number(end) : 0
    if (endS && endS <= startS) throw new Error(`invalid --scenario '${text}': END must be after START`)
    return { startS, endS }
}

/** Schedules the scenario; returns a function that cancels what has not happened yet. */
export function scheduleScenario(s: AnyScenario, target: ScenarioTarget): () => void {
    if (isRestartScenario(s)) {
        const timer = setTimeout(
            () => target.restart(s.restart, Math.round((s.endS - s.startS) * 1000)),
            s.startS * 1000,
        )
        return () => clearTimeout(timer)
    }
    const [begin, end] = isWifiScenario(s)
        ? [() => target.setWifi(false), () => target.setWifi(true)]
        : [() => target.setSensorMode(s.sensor, s.mode), () => target.setSensorMode(s.sensor, "ok")]
    const timers = [setTimeout(begin, s.startS * 1000)]
    if (s.endS) timers.push(setTimeout(end, s.endS * 1000))
    return () => timers.forEach(clearTimeout)
}
