/**
 * The topic contract (README "Topics"): everything a device publishes lives
 * under `<prefix>/<device>/`.
 */
export interface Topics {
    telemetry: string
    status: string
}

export function topicsFor(prefix: string, device: string): Topics {
    const base = prefix + "/" + device + "/"
    return { telemetry: base + "telemetry", status: base + "status" }
}

export const STATUS_ONLINE = "online"
export const STATUS_OFFLINE = "offline"
