/**
 * Why a connection to a broker failed, as one line a user can act on. Pure:
 * it reads what one connection attempt observed (the Attempt record) and
 * returns the failure; it never touches the network.
 *
 * Every message starts with `cannot connect to the broker at URL: ` and then
 * the class of failure, in these stable words (the tests match them):
 *
 *   connection refused | host not found | timeout | TLS certificate not trusted |
 *   TLS hostname mismatch | TLS certificate expired | TLS certificate not yet valid |
 *   this port expects TLS | this port does not speak TLS | CONNACK 1..5 named as in
 *   [MQTT-3.2.2.3] Table 3.1 | closed the connection before its CONNACK |
 *   not an MQTT broker | TLS handshake failed | network error
 *
 * The password is never part of a message: nothing here receives it.
 */
import type { PeerCertificate } from "node:tls"

export type FailureKind =
    | "refused"
    | "host_not_found"
    | "timeout"
    | "tls_untrusted"
    | "tls_hostname"
    | "tls_expired"
    | "tls_not_yet_valid"
    | "plain_to_tls"
    | "tls_to_plain"
    | "connack"
    | "closed"
    | "not_mqtt"
    | "tls_failed"
    | "network"
    | "ca_file"
    | "subscribe"

export class BrokerConnectError extends Error {
    constructor(
        readonly kind: FailureKind,
        message: string,
        /** The CONNACK return code for kind "connack". */
        readonly returnCode = 0,
    ) {
        super(message)
        this.name = "BrokerConnectError"
    }
}

/** What one attempt saw, in the order it happens on the wire. */
export interface Attempt {
    url: string
    host: string
    port: number
    tls: boolean
    timeoutMs: number
    username: string
    caFile: string
    clientId: string
    tcpConnected: boolean
    /** The server's certificate, once it arrived (before verification: see broker-connect.ts). */
    peer?: PeerCertificate
    tlsEstablished: boolean
    /** The first bytes the server sent (after TLS, if any). */
    firstBytes: Buffer
    /** The first socket error. */
    error?: NodeJS.ErrnoException
    /** The CONNACK return code, when a refusing CONNACK arrived. */
    returnCode?: number
    timedOut: boolean
}

/** [MQTT-3.2.2.3] Table 3.1, Connect Return code values. */
export const CONNACK_NAMES: Record<number, string> = {
    1: "unacceptable protocol version",
    2: "identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}

/** Node's names for a certificate chain that does not lead to a trusted CA. */
const UNTRUSTED = new Set([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_UNTRUSTED",
    "CERT_SIGNATURE_FAILURE",
])

/** A TLS record header: handshake (0x16) or alert (0x15), then a 3.x version. */
export function looksLikeTls(b: Buffer): boolean {
    return b.length >= 2 && (b[0] === 0x15 || b[0] === 0x16) && b[1] === 0x03
}

function dn(name: object | undefined): string {
    if (!name) return "an unknown issuer"
    const parts = Object.entries(name)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`)
    return parts.length ? parts.join(", ") : "an unknown issuer"
}

function loginHint(a: Attempt): string {
    return a.username
        ? `: the broker refused the login of user '${a.username}'; check MQTT_USER and MQTT_PASS in .env.local`
        : ": no MQTT_USER/MQTT_PASS set, and this broker wants a login: put them in .env.local"
}

function connackReason(rc: number, a: Attempt): string {
    const name = CONNACK_NAMES[rc] ?? "an unknown return code"
    const why: Record<number, string> = {
        1: ": the broker does not speak MQTT 3.1.1",
        2: `: the broker does not accept the client id '${a.clientId}'`,
        3: ": the broker is up but not accepting connections now",
        4: loginHint(a),
        5: loginHint(a),
    }
    return `${name} (CONNACK ${rc})${why[rc] ?? ""}`
}

function trusted(a: Attempt): string {
    return a.caFile
        ? `the system CAs and ${a.caFile}`
        : "the system CAs; give a private CA with --ca FILE or MQTT_CA_FILE in .env.local"
}

/**
 * The failure this attempt shows, or null when it takes a probe of the port to
 * tell (broker-connect.ts then asks `port-probe.ts` and calls `portMistake`).
 */
export function classify(a: Attempt): BrokerConnectError | null {
    const head = `cannot connect to the broker at ${a.url}: `
    const fail = (kind: FailureKind, text: string, rc = 0) => new BrokerConnectError(kind, head + text, rc)
    const e = a.error
    const code = e?.code ?? ""

    if (a.returnCode !== undefined) return fail("connack", connackReason(a.returnCode, a), a.returnCode)
    if (code === "ECONNREFUSED")
        return fail("refused", `connection refused (nothing listens on ${a.host} port ${a.port})`)
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME")
        return fail("host_not_found", `host not found: no address for '${a.host}'`)
    if (UNTRUSTED.has(code))
        return fail(
            "tls_untrusted",
            `TLS certificate not trusted: issued by ${dn(a.peer?.issuer)}, which is not among ${trusted(a)}`,
        )
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        const cert = (e as { cert?: PeerCertificate }).cert ?? a.peer
        const names = cert?.subjectaltname || (cert?.subject?.CN ? `CN=${cert.subject.CN}` : "other names")
        return fail("tls_hostname", `TLS hostname mismatch: the certificate is for ${names}, not '${a.host}'`)
    }
    if (code === "CERT_HAS_EXPIRED")
        return fail(
            "tls_expired",
            `TLS certificate expired on ${a.peer?.valid_to ?? "an earlier date"} (${dn(a.peer?.subject)})`,
        )
    if (code === "CERT_NOT_YET_VALID")
        return fail(
            "tls_not_yet_valid",
            `TLS certificate not yet valid: valid from ${a.peer?.valid_from ?? "a later date"}`,
        )
    if (!a.tls && looksLikeTls(a.firstBytes))
        return fail("plain_to_tls", `this port expects TLS: use mqtts://${hostPort(a)}`)
    if (a.firstBytes.length > 0 && a.firstBytes[0] !== 0x20)
        return fail(
            "not_mqtt",
            `not an MQTT broker: the first bytes it sent are ${a.firstBytes.subarray(0, 4).toString("hex")}, not a CONNACK`,
        )
    if (a.timedOut) {
        if (!a.tcpConnected) return fail("timeout", `timeout: no TCP connection within ${a.timeoutMs} ms`)
        if (a.tls && !a.tlsEstablished)
            return fail("timeout", `timeout: the TLS handshake did not finish within ${a.timeoutMs} ms`)
        return fail("timeout", `timeout: connected, but no CONNACK within ${a.timeoutMs} ms`)
    }
    // Closed or reset before TLS or before the CONNACK: a port mistake, or a broker that hangs up. A probe tells.
    if (a.tcpConnected && !(a.tls && a.tlsEstablished) && a.firstBytes.length === 0) return null
    if (a.tcpConnected && !e) return fail("closed", "the broker closed the connection before its CONNACK")
    if (a.tls && !a.tlsEstablished) return fail("tls_failed", `TLS handshake failed: ${e?.message ?? "closed"}`)
    return fail("network", e?.message ?? "the connection closed")
}

function hostPort(a: Attempt): string {
    return `${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`
}

/**
 * The answer after a probe: `otherSide` is true when the port speaks the other
 * protocol (TLS for an mqtt:// URL, plain MQTT for mqtts://).
 */
export function portMistake(a: Attempt, otherSide: boolean): BrokerConnectError {
    const head = `cannot connect to the broker at ${a.url}: `
    if (otherSide && !a.tls)
        return new BrokerConnectError("plain_to_tls", `${head}this port expects TLS: use mqtts://${hostPort(a)}`)
    if (otherSide && a.tls)
        return new BrokerConnectError(
            "tls_to_plain",
            `${head}this port does not speak TLS (it answers plain MQTT): use mqtt://${hostPort(a)} or the broker's TLS port`,
        )
    if (a.tls)
        return new BrokerConnectError(
            "tls_failed",
            `${head}TLS handshake failed: ${a.error?.message ?? "the connection closed"}`,
        )
    return new BrokerConnectError("closed", `${head}the broker closed the connection before its CONNACK`)
}
