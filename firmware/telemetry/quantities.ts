/**
 * Every quantity the firmware can publish, with its unit and its Home
 * Assistant classes. Portable (imports nothing from DeviceScript).
 */
export interface Quantity {
    key: string
    name: string
    unit: string
    /** Home Assistant sensor device_class. */
    deviceClass: string
    stateClass: string
}

export const QUANTITIES: Quantity[] = [
    { key: "temperature", name: "Temperature", unit: "°C", deviceClass: "temperature", stateClass: "measurement" },
    { key: "humidity", name: "Humidity", unit: "%", deviceClass: "humidity", stateClass: "measurement" },
    { key: "pressure", name: "Pressure", unit: "hPa", deviceClass: "atmospheric_pressure", stateClass: "measurement" },
    { key: "illuminance", name: "Illuminance", unit: "lx", deviceClass: "illuminance", stateClass: "measurement" },
    { key: "co2", name: "CO2", unit: "ppm", deviceClass: "carbon_dioxide", stateClass: "measurement" },
]

export function quantity(key: string): Quantity | null {
    for (const q of QUANTITIES) if (q.key === key) return q
    return null
}
