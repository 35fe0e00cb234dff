/**
 * The brokers a device may use (MQTT_HOSTS, issue 12) and which one it tries next.
 *
 * Entries are `host:port`, `mqtt://host:port` or `mqtts://host:port`, comma-separated; without a
 * scheme an entry uses MQTT_TLS, without a port MQTT_PORT. The list is parsed once at boot into
 * objects that live as long as the program: choosing a broker allocates nothing (issue 9: the
 * heap is bounded, and per-attempt allocations fragment it).
 *
 * The rule (README, Configuration):
 * - a connect that fails (open, CONNACK refused or timed out) or a connection that ends before it
 *   was stable (`stableMs`, the same threshold that resets the backoff): the next entry;
 * - while a connection is up, stay; once a stable connection ends: the first choice again;
 * - after the last entry comes the first; a boot starts at the first choice.
 * Every attempt still waits for the session's jittered backoff, so a dead list never spins.
 *
 * Portable: imports nothing from DeviceScript.
 */
import { mod } from "./mod32"

export interface Broker {
    host: string
    port: number
    tls: boolean
    /** "mqtt://host:port" or "mqtts://host:port", built once, for the logs. */
    url: string
}

/** A list longer than this would not fit a setting anyway (key + JSON < 232 bytes). */
export const MAX_BROKERS = 8

export function brokerOf(host: string, port: number, tls: boolean): Broker {
    return { host, port, tls, url: (tls ? "mqtts://" : "mqtt://") + host + ":" + port }
}

/**
 * Parses MQTT_HOSTS. Returns the brokers in the order written, or one error line naming the
 * entry (the caller stops at boot with it: a typo must not silently leave a node out).
 */
export function parseBrokers(text: string, dfltPort: number, dfltTls: boolean): Broker[] | string {
    const parts = text.split(",")
    if (parts.length > MAX_BROKERS) return `MQTT_HOSTS lists ${parts.length} brokers; at most ${MAX_BROKERS}`
    const out: Broker[] = []
    for (let i = 0; i < parts.length; i++) {
        const entry = parts[i].trim()
        const why = `MQTT_HOSTS entry ${i + 1} '${entry}': `
        let rest = entry
        let tls = dfltTls
        const scheme = rest.indexOf("://")
        if (scheme >= 0) {
            tls = rest.slice(0, scheme) === "mqtts"
            if (!tls && rest.slice(0, scheme) !== "mqtt") rest = "/"
            else rest = rest.slice(scheme + 3)
        }
        let port = dfltPort
        const colon = rest.indexOf(":")
        if (colon >= 0) {
            const p = rest.slice(colon + 1)
            port = parseInt(p)
            // "" + port === p: digits only, no sign, no leading zero, no trailing text.
            if (!(port >= 1 && port <= 65535) || "" + port !== p) return why + "the port must be an integer in 1..65535"
            rest = rest.slice(0, colon)
        }
        if (rest.length === 0) return why + "the host is empty"
        if (rest.indexOf("/") >= 0 || rest.indexOf(" ") >= 0)
            return why + "expected host:port, mqtt://host:port or mqtts://host:port"
        out.push(brokerOf(rest, port, tls))
    }
    return out
}

/**
 * Reorders the list in place, the same way on every boot of one device and differently across
 * devices (seeded by `key`, the client id), so a fleet spreads its first choices over the nodes
 * and each device keeps coming back to the node that holds its session.
 */
export function shuffleBrokers(list: Broker[], key: string) {
    // MINSTD (Park-Miller) in exact double arithmetic (mod32.ts: `%` is int32 on the VM).
    const M = 2147483647
    let h = 1
    for (let i = 0; i < key.length; i++) h = mod(h * 31 + key.charCodeAt(i), M)
    if (h === 0) h = 1
    for (let i = list.length - 1; i > 0; i--) {
        h = mod(h * 48271, M)
        const j = h % (i + 1)
        const t = list[i]
        list[i] = list[j]
        list[j] = t
    }
}

export class BrokerPicker {
    private at = 0

    constructor(readonly list: Broker[]) {}

    current(): Broker {
        return this.list[this.at]
    }

    /** After a connection ended or never came up: see the rule at the top. */
    ended(stable: boolean) {
        this.at = stable ? 0 : (this.at + 1) % this.list.length
    }
}
