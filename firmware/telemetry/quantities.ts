/**
 * Every quantity the firmware can publish, with its unit and its Home Assistant
 * classes: the one table of them. The host side (live view, dashboard) reads the
 * units from here too. Portable (imports nothing from DeviceScript).
 */
export interface Quantity {
    key: string
    name: string
    /** The unit of the telemetry payload (README "Telemetry payload"). */
    unit: string
    /** Home Assistant sensor device_class. */
    deviceClass: string
    stateClass: string
}

export const QUANTITIES: Quantity[] = [
    { key: "temperature", name: "Temperature", unit: "°C", deviceClass: "temperature", stateClass: "measurement" },
    { key: "humidity", name: "Humidity", unit: "%RH", deviceClass: "humidity", stateClass: "measurement" },
    { key: "pressure", name: "Pressure", unit: "hPa", deviceClass: "atmospheric_pressure", stateClass: "measurement" },
    { key: "illuminance", name: "Illuminance", unit: "lx", deviceClass: "illuminance", stateClass: "measurement" },
    { key: "co2", name: "CO2", unit: "ppm", deviceClass: "carbon_dioxide", stateClass: "measurement" },
]

/** The quantity of a telemetry key; a second sensor's key ("temperature_sht4x") maps to its base quantity. */
export function quantity(key: string): Quantity | null {
    const u = key.indexOf("_")
    const base = u > 0 ? key.slice(0, u) : key
    for (const q of QUANTITIES) if (q.key === base) return q
    return null
}
