/**
 * What the DeviceScript runtime of a board can do, by its `archId` (from the
 * board config). Portable: the device passes `boardArch(ds._dcfgString("archId"), SIM_ARCH)`.
 */
import { parseDecimal } from "./decimal"

/** The WASM VM's archId: the simulator, whatever board profile it applies. */
export const SIM_RUNTIME_ARCH = "wasm"

/**
 * The archId the firmware acts on. On a board, the runtime's own; in the simulator (archId "wasm")
 * the board profile's, which the simulator deploys as the SIM_ARCH setting, so that every branch
 * below runs under its own profile (issue 23). On a board SIM_ARCH is ignored.
 */
export function boardArch(runtimeArch: string, simArch: string): string {
    return runtimeArch === SIM_RUNTIME_ARCH && simArch ? simArch : runtimeArch
}

/**
 * Heap kept free for one receive window of socket events (issue 22). The runtime makes every `data`
 * event a GC buffer and a fiber before any bytecode runs: a Pico W's lwIP delivers up to TCP_WND
 * (11,680 B) in one poll as 1,460 B pbufs (pico:src/lwip_sock.c:91-113, lwipopts.h:23-24), an ESP32
 * up to its socket buffer (5,744 B) in 1,024 B reads. A 20 KB message at default settings ran out of
 * memory on the Pico W profile in 2 of 5 runs with the full 10,240 B queue, in none of 5 with 4 KB of
 * it kept free: that much comes off the queue's default there.
 */
export function receiveReserveBytes(archId: string): number {
    return archId.indexOf("rp2040") === 0 ? 4096 : 0
}

/** The RP2040 runtimes (Pico, Pico W: archId "rp2040", "rp2040w") have no TLS sockets. */
export function tlsSupported(archId: string): boolean {
    return archId.indexOf("rp2040") !== 0
}

/** The boot error for a TLS config on a board without TLS, or "" when fine. */
export function tlsConfigError(tls: boolean, archId: string): string {
    if (!tls || tlsSupported(archId)) return ""
    return `MQTT_TLS=true, but the ${archId} DeviceScript runtime has no TLS: set MQTT_TLS=false and a plain MQTT port (1883), or use an ESP32 board`
}

/** "192.168.1.10": four decimal numbers 0..255 separated by dots. */
export function isIpv4Literal(host: string): boolean {
    const parts = host.split(".")
    if (parts.length !== 4) return false
    // Char codes, not `c < "0"`: string comparison is not by character on the VM (decimal.ts).
    for (const p of parts) if (!(parseDecimal(p, 3) <= 255)) return false
    return true
}

/**
 * The boot error for a broker address the board's runtime cannot connect to, or "". The Pico W
 * runtime (devicescript-pico v2.16.1, src/lwip_sock.c:150-156 and 187-193) connects again on every
 * main-loop pass when the address needs no DNS query (an IP literal, or a name still in lwIP's DNS
 * cache): `jd_tcpsock_process` sets `host_found_pending = 1` where it means 0, so each pass opens a
 * new pcb over the old one until `can't alloc pcb` closes the socket. A host name avoids it on the
 * first connect (the lookup completes asynchronously).
 */
export function brokerHostError(host: string, archId: string, setting = "MQTT_HOST"): string {
    if (archId.indexOf("rp2040") !== 0 || !isIpv4Literal(host)) return ""
    return `${setting}=${host} is an IP address, and the ${archId} DeviceScript runtime cannot keep a connection to an IP address (it reconnects on every loop pass until it runs out of sockets): give the broker a host name (a DNS name your router resolves) and set ${setting} to it`
}

/** Continuous seconds without a network after which the firmware reboots the board (0: never). */
export function noNetworkRebootS(archId: string): number {
    // The Pico W runtime tries one Wi-Fi re-join and never another (pico:src/wifi_impl.c:145-157):
    // only a reset brings the network back.
    return archId.indexOf("rp2040") === 0 ? 120 : 0
}

const HEX_DIGITS = "0123456789abcdef"

/**
 * The default device name, also the MQTT client id: "devs" + 12 hex digits
 * of the device id, so 16 characters of [0-9a-zA-Z], which every broker must
 * accept [MQTT-3.1.3-5] (C31).
 */
export function defaultDeviceName(deviceId: string): string {
    let hex = ""
    for (let i = 0; i < deviceId.length && hex.length < 12; i++) {
        const c = deviceId.charAt(i).toLowerCase()
        if (HEX_DIGITS.indexOf(c) >= 0) hex += c
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
