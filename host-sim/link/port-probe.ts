/**
 * Which protocol a port speaks, asked only after a connection closed without
 * saying why (broker-connect.ts): does it answer a TLS ClientHello, or a plain
 * MQTT CONNECT? Neither probe carries credentials or application data, and the
 * TLS probe verifies the certificate as always; a certificate that fails
 * verification still proves that the port speaks TLS.
 */
import { connect as netConnect } from "node:net"
import { connect as tlsConnect, type ConnectionOptions } from "node:tls"
import { looksLikeTls } from "./broker-failure.ts"

/**
 * Asks the server to staple an OCSP response. Only for its side effect: Node's
 * 'OCSPResponse' event then fires once the server's certificate has arrived,
 * before verification, whether or not a response was stapled. (A TLSSocket
 * option that @types/node leaves out of ConnectionOptions.)
 */
export const REQUEST_OCSP = { requestOCSP: true } as ConnectionOptions

/** CONNECT, MQTT 3.1.1, clean session, keepalive 10 s, no user name or password [MQTT-3.1.2-3]. */
function connectPacket(clientId: string): Buffer {
    const id = Buffer.from(clientId)
    const body = Buffer.concat([
        Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a]),
        Buffer.from([id.length >> 8, id.length & 0xff]),
        id,
    ])
    return Buffer.concat([Buffer.from([0x10, body.length]), body])
}

/** True when the port answers a CONNECT with a CONNACK (whatever its return code). */
export function speaksPlainMqtt(host: string, port: number, timeoutMs: number): Promise<boolean> {
    return new Promise(resolve => {
        const sock = netConnect({ host, port })
        const done = (yes: boolean) => {
            clearTimeout(timer)
            sock.destroy()
            resolve(yes)
        }
        const timer = setTimeout(() => done(false), timeoutMs)
        sock.once("connect", () => sock.write(connectPacket(`devsprobe${process.pid}`)))
        sock.once("data", d => {
            // A clean DISCONNECT after an accepting CONNACK leaves no session and no Will behind.
            if (d[0] === 0x20 && d[3] === 0) sock.write(Buffer.from([0xe0, 0x00]))
            done(d[0] === 0x20 && !looksLikeTls(d))
        })
        sock.once("error", () => done(false))
        sock.once("close", () => done(false))
    })
}

/** True when the port completes a TLS handshake or at least sends its certificate. */
export function speaksTls(host: string, port: number, tls: ConnectionOptions, timeoutMs: number): Promise<boolean> {
    return new Promise(resolve => {
        let certificateSeen = false
        const sock = tlsConnect({ ...tls, ...REQUEST_OCSP, host, port })
        const done = (yes: boolean) => {
            clearTimeout(timer)
            sock.destroy()
            resolve(yes)
        }
        const timer = setTimeout(() => done(certificateSeen), timeoutMs)
        // OpenSSL reports the OCSP status once the server's certificate has arrived, before it is verified.
        sock.once("OCSPResponse", () => (certificateSeen = true))
        sock.once("secureConnect", () => done(true))
        sock.once("error", () => done(certificateSeen))
        sock.once("close", () => done(certificateSeen))
    })
}
