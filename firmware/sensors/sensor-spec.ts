/**
 * The SENSORS setting: which chips exist, at which I2C addresses.
 *
 *   SENSORS=bme280@0x76,sht4x      two I2C chips, sht4x at its default address
 *   SENSORS=                       the default: `jacdac`, the three Jacdac role sensors
 *
 * Entries are separated by commas; a chip name is case-insensitive and may be
 * followed by `@` and an address (hex `0x44` or decimal `68`). A bad entry is
 * reported and skipped; the other entries still count. Portable: imports
 * nothing from DeviceScript, so vitest tests the same parser.
 */
import { hexByte } from "./sensor-error"

/** Quantity keys (their units and names: telemetry/quantities.ts). */
export const Q_TEMPERATURE = "temperature"
export const Q_HUMIDITY = "humidity"
export const Q_PRESSURE = "pressure"
export const Q_ILLUMINANCE = "illuminance"
export const Q_CO2 = "co2"

/** The special entry for the Jacdac role sensors (the simulator's sensors). */
export const CHIP_JACDAC = "jacdac"
/** The Jacdac light (illuminance) role sensor: the simulator serves it too. */
export const CHIP_JACDAC_LIGHT = "jacdac_light"

export interface ChipInfo {
    chip: string
    /** Datasheet addresses; the first is the default. Empty for `jacdac`. */
    addresses: number[]
    quantities: string[]
    aliases: string[]
}

const THP = [Q_TEMPERATURE, Q_HUMIDITY, Q_PRESSURE]
const TH = [Q_TEMPERATURE, Q_HUMIDITY]

/** Shared by the rows without aliases or addresses: one empty array each, never modified. */
const NO_ALIASES: string[] = []
const NO_ADDRESSES: number[] = []

function row(chip: string, addresses: number[], quantities: string[], aliases = NO_ALIASES): ChipInfo {
    return { chip, addresses, quantities, aliases }
}

export const CHIPS: ChipInfo[] = [
    row(CHIP_JACDAC, NO_ADDRESSES, THP),
    row(CHIP_JACDAC_LIGHT, NO_ADDRESSES, [Q_ILLUMINANCE]),
    // Ours (firmware/sensors/<chip>.ts)
    row("bme280", [0x76, 0x77], THP),
    row("bmp280", [0x76, 0x77], [Q_TEMPERATURE, Q_PRESSURE]),
    row("sht4x", [0x44, 0x45, 0x46], TH, ["sht40", "sht41", "sht45"]),
    row("bh1750", [0x23, 0x5c], [Q_ILLUMINANCE]),
    row("scd4x", [0x62], [Q_CO2, Q_TEMPERATURE, Q_HUMIDITY], ["scd40", "scd41"]),
    row("sht30", [0x44, 0x45], TH, ["sht3x", "sht31", "sht35"]),
    row("shtc3", [0x70], TH),
    row("aht20", [0x38], TH),
    row("ltr390", [0x53], [Q_ILLUMINANCE]),
    row("bme680", [0x76, 0x77], THP),
]

export interface ChipSpec {
    /** Canonical chip name from CHIPS. */
    chip: string
    /** 7-bit I2C address; 0 for `jacdac`. */
    address: number
}

export interface SensorSpec {
    chips: ChipSpec[]
    /** One readable sentence per rejected entry. */
    errors: string[]
    /** The rejected entries as written (trimmed), one per error. */
    rejected: string[]
}

/** The catalogue entry for a chip name or alias (case-insensitive); null if unknown. */
export function chipInfo(chip: string): ChipInfo | null {
    const name = chip.toLowerCase()
    for (const c of CHIPS) {
        if (c.chip === name || c.aliases.indexOf(name) >= 0) return c
    }
    return null
}

export function knownChipNames(): string {
    return CHIPS.map(c => c.chip).join(", ")
}

/** "0x76", "0X76" or "118" -> 118; -1 if not a number. */
export function parseAddress(s: string): number {
    let base = 10
    let digits = s
    if (s.length > 2 && s.charAt(0) === "0" && (s.charAt(1) === "x" || s.charAt(1) === "X")) {
        base = 16
        digits = s.slice(2)
    }
    if (digits.length === 0 || digits.length > 3) return -1
    let v = 0
    for (let i = 0; i < digits.length; i++) {
        const d = "0123456789abcdef".indexOf(digits.charAt(i).toLowerCase())
        if (d < 0 || d >= base) return -1
        v = v * base + d
    }
    return v
}

function describeAddresses(info: ChipInfo): string {
    return info.addresses.map(hexByte).join(", ")
}

/** Parses one trimmed entry; returns an error sentence or "" with the chip filled in. */
function parseEntry(entry: string, out: ChipSpec): string {
    const at = entry.indexOf("@")
    const name = (at < 0 ? entry : entry.slice(0, at)).trim()
    const info = chipInfo(name)
    if (!info) return `unknown chip '${name}' (known: ${knownChipNames()})`
    out.chip = info.chip
    if (at < 0) {
        out.address = info.addresses.length > 0 ? info.addresses[0] : 0
        return ""
    }
    const addrText = entry.slice(at + 1).trim()
    if (info.addresses.length === 0) return `'${entry}': ${info.chip} takes no address`
    const address = parseAddress(addrText)
    if (address < 0) return `'${entry}': '${addrText}' is not an I2C address (write 0x44 or 68)`
    if (info.addresses.indexOf(address) < 0) {
        return `'${entry}': ${info.chip} answers only at ` + describeAddresses(info)
    }
    out.address = address
    return ""
}

/** Parses the SENSORS setting; empty or blank means `jacdac`. Never throws. */
export function parseSensorSpec(s: string): SensorSpec {
    const spec: SensorSpec = { chips: [], errors: [], rejected: [] }
    const text = s === undefined || s === null ? "" : "" + s
    const entries = text.split(",")
    let any = false
    for (const raw of entries) {
        const entry = raw.trim()
        if (entry.length === 0) continue
        any = true
        const c: ChipSpec = { chip: "", address: 0 }
        let error = parseEntry(entry, c)
        if (!error) error = conflict(spec.chips, c)
        if (error) {
            spec.errors.push(error)
            spec.rejected.push(entry)
        } else spec.chips.push(c)
    }
    if (!any) spec.chips.push({ chip: CHIP_JACDAC, address: 0 })
    return spec
}

/** Two entries cannot share an I2C address (or both be `jacdac`). */
function conflict(chips: ChipSpec[], c: ChipSpec): string {
    for (const other of chips) {
        if (other.chip === c.chip && other.address === c.address) {
            return c.address ? `${c.chip}@${hexByte(c.address)} is listed twice` : `${c.chip} is listed twice`
        }
        if (c.address && other.address === c.address) {
            return `${c.chip}@${hexByte(c.address)}: address already used by ${other.chip}`
        }
    }
    return ""
}

export interface SensorPlan {
    chip: string
    address: number
    /** Sensor name in logs and in the telemetry `status` object. */
    name: string
    /** Quantity -> telemetry key. */
    keys: Record<string, string>
}

/**
 * Names every sensor and every published quantity. A chip listed once is
 * named after the chip ("bme280"); a chip listed twice gets its address
 * ("sht4x_44", "sht4x_45"). The first sensor that reports a quantity publishes
 * it under the plain name ("temperature"); later ones add their sensor name
 * ("temperature_sht4x"), so no reading silently overwrites another.
 */
export function planSensors(chips: ChipSpec[]): SensorPlan[] {
    const plans: SensorPlan[] = []
    const taken: string[] = []
    for (const c of chips) {
        let count = 0
        for (const o of chips) if (o.chip === c.chip) count++
        const name = count > 1 ? c.chip + "_" + hexByte(c.address).slice(2) : c.chip
        const keys: Record<string, string> = {}
        const info = chipInfo(c.chip)
        const quantities = info ? info.quantities : []
        for (const q of quantities) {
            const key = taken.indexOf(q) < 0 ? q : q + "_" + name
            keys[q] = key
            taken.push(key)
        }
        plans.push({ chip: c.chip, address: c.address, name: name, keys: keys })
    }
    return plans
}
