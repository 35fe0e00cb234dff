/**
 * `--broker` URL parsing. Credentials in the URL are refused: they would end
 * up in shell history and logs; use MQTT_USER/MQTT_PASS in .env.local.
 */
export interface BrokerAddress {
    host: string
    port: number
    tls: boolean
}

export function parseBrokerUrl(url: string): BrokerAddress {
    let u: URL
    try {
        u = new URL(url)
    } catch {
        throw new Error(`invalid broker URL '${url}': expected mqtt://HOST:PORT or mqtts://HOST:PORT`)
    }
    if (u.username || u.password)
        throw new Error("credentials in the broker URL are not accepted: put MQTT_USER and MQTT_PASS in .env.local")
    if (u.protocol !== "mqtt:" && u.protocol !== "mqtts:")
        throw new Error(`unsupported broker URL scheme '${u.protocol}': use mqtt:// or mqtts://`)
    const tls = u.protocol === "mqtts:"
    const port = u.port ? Number(u.port) : tls ? 8883 : 1883
    if (!u.hostname) throw new Error(`broker URL '${url}' has no host`)
    return { host: u.hostname.replace(/^\[|\]$/g, ""), port, tls }
}
