/**
 * `--scenario MODE:SENSOR[@START[-END]]` (seconds from start), e.g.
 *   fail:humidity@10        humidity leaves the bus at 10 s and stays away
 *   stuck:temperature@5     temperature freezes at 5 s
 *   fail:pressure@10-25     pressure fails at 10 s and comes back at 25 s
 * Applies to every simulated device.
 */
import { SENSOR_MODES, type SensorMode } from "./sensors/sim-sensors.ts"

export interface Scenario {
    mode: SensorMode
    sensor: string
    startS: number
    /** 0: never ends. */
    endS: number
}

export function parseScenario(text: string, sensors: string[]): Scenario {
    const m = /^([a-z]+):([a-z0-9]+)(?:@(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?)?$/.exec(text)
    if (!m) throw new Error(`invalid --scenario '${text}': expected MODE:SENSOR[@START[-END]], e.g. fail:humidity@10-25`)
    const mode = m[1] as SensorMode
    if (!SENSOR_MODES.includes(mode) || mode === "ok") throw new Error(`invalid --scenario mode '${m[1]}': use fail or stuck`)
    if (!sensors.includes(m[2])) throw new Error(`invalid --scenario sensor '${m[2]}': simulated sensors are ${sensors.join(", ")}`)
    const startS = m[3] ? Number(m[3]) : 0
    const endS = m[4] ? Number(m[4]) : 0
    if (endS && endS <= startS) throw new Error(`invalid --scenario '${text}': END must be after START`)
    return { mode, sensor: m[2], startS, endS }
}

/** Schedules the scenario; returns a function that cancels what has not happened yet. */
export function scheduleScenario(s: Scenario, apply: (sensor: string, mode: SensorMode) => void): () => void {
    const timers = [setTimeout(() => apply(s.sensor, s.mode), s.startS * 1000)]
    if (s.endS) timers.push(setTimeout(() => apply(s.sensor, "ok"), s.endS * 1000))
    return () => timers.forEach(clearTimeout)
}
