/**
 * The one way the host side talks to a broker: the simulator's observer, the
 * readiness probes of the private brokers and the benchmark all connect here.
 *
 * - Where: a broker URL (mqtt://HOST:PORT or mqtts://HOST:PORT, no credentials
 *   in it: broker-url.ts refuses them).
 * - Who: MQTT_USER and MQTT_PASS from .env.defaults/.env.local, the same
 *   settings the device logs in with.
 * - Trust: the system CAs, plus one CA file (`--ca FILE` or MQTT_CA_FILE)
 *   for a broker signed by a private CA. Verification is never switched off.
 *
 * The first connection either succeeds or fails with a BrokerConnectError
 * that says why in one line (broker-failure.ts); after that MQTT.js
 * reconnects on its own if the caller asks for it (reconnectPeriodMs).
 */
import { readFileSync } from "node:fs"
import { connect as netConnect, isIP, type Socket } from "node:net"
import { isAbsolute, join } from "node:path"
import { connect as tlsConnect, rootCertificates, type ConnectionOptions, type TLSSocket } from "node:tls"
import { MqttClient } from "mqtt"
import { BrokerConnectError, classify, portMistake, type Attempt } from "./broker-failure.ts"
import { parseBrokerUrl } from "./broker-url.ts"
import type { SettingValue } from "../device/vm-device.ts"
import { REQUEST_OCSP, speaksPlainMqtt, speaksTls } from "./port-probe.ts"

export const CONNECT_DEFAULTS = {
    /** The first CONNACK must arrive within this (TCP, TLS and MQTT together). */
    timeoutMs: 5000,
    keepaliveS: 30,
    /** 0: no reconnect after the first connection is lost. */
    reconnectPeriodMs: 0,
    /** A port-mistake probe (port-probe.ts) gives up after this. */
    probeTimeoutMs: 3000,
}

export interface BrokerTarget {
    /** mqtt://HOST:PORT or mqtts://HOST:PORT, for messages. */
    url: string
    host: string
    port: number
    tls: boolean
    username: string
    /** Never logged, never part of a message. */
    password: string
    /** A PEM file of CAs trusted in addition to the system CAs; "" for none. */
    caFile: string
}

export interface Login {
    username?: string
    password?: string
    caFile?: string
}

export function brokerTarget(url: string, login: Login = {}): BrokerTarget {
    const a = parseBrokerUrl(url)
    const host = a.host.includes(":") ? `[${a.host}]` : a.host
    return {
        url: `${a.tls ? "mqtts" : "mqtt"}://${host}:${a.port}`,
        ...a,
        username: login.username ?? "",
        password: login.password ?? "",
        caFile: login.caFile ?? "",
    }
}

/**
 * MQTT_USER, MQTT_PASS and MQTT_CA_FILE from the settings the simulator reads
 * (env-file.ts); `caFile` (the --ca option) wins over MQTT_CA_FILE. A relative
 * MQTT_CA_FILE is relative to `dir`, where the .env files are.
 */
export function loginFromSettings(settings: Record<string, SettingValue>, dir: string, caFile = ""): Login {
    const str = (k: string) => (settings[k] === undefined ? "" : String(settings[k]))
    const fromSettings = str("MQTT_CA_FILE")
    return {
        username: str("MQTT_USER"),
        password: str("MQTT_PASS"),
        caFile: caFile || (fromSettings && !isAbsolute(fromSettings) ? join(dir, fromSettings) : fromSettings),
    }
}

/** Node's TLS options for the target: system CAs plus the CA file, the host name checked. */
export function tlsOptions(t: Pick<BrokerTarget, "host" | "caFile">): ConnectionOptions {
    const o: ConnectionOptions = { rejectUnauthorized: true }
    if (!isIP(t.host)) o.servername = t.host
    if (t.caFile) o.ca = [...rootCertificates, readCaFile(t.caFile)]
    return o
}

function readCaFile(file: string): string {
    let pem: string
    try {
        pem = readFileSync(file, "utf8")
    } catch (e) {
        throw new BrokerConnectError(
            "ca_file",
            `cannot read the CA file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        )
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----"))
        throw new BrokerConnectError(
            "ca_file",
            `the CA file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
        )
    return pem
}

export interface ConnectOptions {
    clientId: string
    /** Clean session [MQTT-3.1.2-6]; false keeps subscriptions across reconnects. */
    clean?: boolean
    timeoutMs?: number
    keepaliveS?: number
    reconnectPeriodMs?: number
    /** Called with the client before any packet arrives (a persistent session can deliver right after its CONNACK). */
    setup?: (client: MqttClient) => void
}

/** Records what the first socket sees, for classify(). */
function watch(sock: Socket | TLSSocket, a: Attempt): void {
    sock.once("connect", () => (a.tcpConnected = true))
    sock.once("error", (e: NodeJS.ErrnoException) => (a.error ??= e))
    if (a.tls) {
        const t = sock as TLSSocket
        // OpenSSL reports the OCSP status once the server's certificate has arrived and before it is
        // verified: the one moment the certificate of a refused handshake can be read (to name its issuer).
        t.once("OCSPResponse", () => (a.peer = t.getPeerCertificate()))
        t.once("secureConnect", () => (a.tlsEstablished = true))
    }
    const onData = (d: Buffer) => {
        a.firstBytes = Buffer.concat([a.firstBytes, d]).subarray(0, 8)
        if (a.firstBytes.length >= 4) sock.off("data", onData)
    }
    sock.on("data", onData)
}

/**
 * Connects and resolves once the broker accepted (CONNACK 0); otherwise
 * rejects with a BrokerConnectError. The client always has an 'error'
 * listener, so a later error never crashes the process.
 */
export async function connectBroker(t: BrokerTarget, o: ConnectOptions): Promise<MqttClient> {
    const timeoutMs = o.timeoutMs ?? CONNECT_DEFAULTS.timeoutMs
    const tls = t.tls ? tlsOptions(t) : undefined
    const a: Attempt = {
        url: t.url,
        host: t.host,
        port: t.port,
        tls: t.tls,
        timeoutMs,
        username: t.username,
        caFile: t.caFile,
        clientId: o.clientId,
        tcpConnected: false,
        tlsEstablished: false,
        firstBytes: Buffer.alloc(0),
        timedOut: false,
    }
    let first = true
    const client = new MqttClient(
        () => {
            const sock = tls
                ? tlsConnect({ ...tls, ...REQUEST_OCSP, host: t.host, port: t.port })
                : netConnect({ host: t.host, port: t.port })
            if (first) watch(sock, a)
            first = false
            return sock
        },
        {
            protocolVersion: 4,
            clientId: o.clientId,
            clean: o.clean ?? true,
            keepalive: o.keepaliveS ?? CONNECT_DEFAULTS.keepaliveS,
            ...(t.username ? { username: t.username } : {}),
            ...(t.password ? { password: t.password } : {}),
            reconnectPeriod: 0,
            // Ours (below) fires first, so it is the one that explains a timeout.
            connectTimeout: timeoutMs * 2,
        },
    )
    client.on("error", () => {})
    o.setup?.(client)
    client.on("packetreceive", p => {
        if (p.cmd === "connack" && p.returnCode) a.returnCode = p.returnCode
    })
    const accepted = await new Promise<boolean>(resolve => {
        const settle = (ok: boolean) => {
            clearTimeout(timer)
            client.off("connect", onConnect)
            client.off("error", onFail)
            client.off("close", onFail)
            resolve(ok)
        }
        const onConnect = () => settle(true)
        const onFail = () => settle(false)
        const timer = setTimeout(() => {
            a.timedOut = true
            settle(false)
        }, timeoutMs)
        client.once("connect", onConnect)
        client.once("error", onFail)
        client.once("close", onFail)
    })
    if (accepted) {
        client.options.reconnectPeriod = o.reconnectPeriodMs ?? CONNECT_DEFAULTS.reconnectPeriodMs
        return client
    }
    await new Promise<void>(resolve => client.end(true, {}, () => resolve()))
    throw await explain(a, t)
}

async function explain(a: Attempt, t: BrokerTarget): Promise<BrokerConnectError> {
    const known = classify(a)
    if (known) return known
    const ms = Math.min(a.timeoutMs, CONNECT_DEFAULTS.probeTimeoutMs)
    const otherSide = a.tls
        ? await speaksPlainMqtt(t.host, t.port, ms)
        : await speaksTls(t.host, t.port, tlsOptions(t), ms)
    return portMistake(a, otherSide)
}
