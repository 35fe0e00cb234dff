/**
 * What the DeviceScript runtime of a board can do, by its `archId` (from the
 * board config). Portable: the device passes `ds._dcfgString("archId")`.
 */

/** The RP2040 runtimes (Pico, Pico W: archId "rp2040", "rp2040w") have no TLS sockets. */
export function tlsSupported(archId: string): boolean {
    return archId.indexOf("rp2040") !== 0
}

/** The boot error for a TLS config on a board without TLS, or "" when fine. */
export function tlsConfigError(tls: boolean, archId: string): string {
    if (!tls || tlsSupported(archId)) return ""
    return `MQTT_TLS=true, but the ${archId} DeviceScript runtime has no TLS: set MQTT_TLS=false and a plain MQTT port (1883), or use an ESP32 board`
}

/**
 * The default device name, also the MQTT client id: "devs" + 12 hex digits
 * of the device id, so 16 characters of [0-9a-zA-Z], which every broker must
 * accept [MQTT-3.1.3-5] (C31).
 */
export function defaultDeviceName(deviceId: string): string {
    let hex = ""
    for (let i = 0; i < deviceId.length && hex.length < 12; i++) {
        const c = deviceId.charAt(i).toLowerCase()
        if ((c >= "0" && c <= "9") || (c >= "a" && c <= "f")) hex += c
    }
    return "devs" + hex
}

/**
 * No DeviceScript board runtime can trust a private CA: the ESP32 runtime checks
 * the broker's certificate against its built-in CA bundle only (no API adds
 * one, no client certificates); the RP2040 runtimes have no TLS at all
 * (tlsConfigError). The simulator can (Node's TLS with NODE_EXTRA_CA_CERTS).
 * The warning for a board when a private CA is configured, or "" when the board
 * has no TLS anyway.
 */
export function privateCaWarning(archId: string): string {
    if (!tlsSupported(archId)) return ""
    return `the ${archId} DeviceScript runtime trusts only its built-in CA bundle, not a private CA: a broker certificate signed only by the CA in MQTT_CA_FILE will be refused by the board; give the broker a certificate from a public CA, or use plain MQTT on a trusted network`
}
