/**
 * Every way a broker connection can fail, as the one line a user reads
 * (host-sim/link/broker-failure.ts). The cases a real broker can produce on loopback
 * run end to end in test/e2e/secured-broker.test.ts; these are the rest.
 */
import { describe, expect, test } from "vitest"
import { brokerTarget, loginFromSettings } from "../../host-sim/link/broker-connect.ts"
import { classify, CONNACK_NAMES, portMistake, type Attempt } from "../../host-sim/link/broker-failure.ts"
import { parseEnv } from "../../host-sim/cli/env-file.ts"

function attempt(o: Partial<Attempt> = {}): Attempt {
    return {
        url: "mqtt://broker.lan:1883",
        host: "broker.lan",
        port: 1883,
        tls: false,
        timeoutMs: 5000,
        username: "",
        caFile: "",
        clientId: "observer-1",
        tcpConnected: true,
        tlsEstablished: false,
        firstBytes: Buffer.alloc(0),
        timedOut: false,
        ...o,
    }
}

const err = (code: string, message = code) => Object.assign(new Error(message), { code })
const HEAD = "cannot connect to the broker at mqtt://broker.lan:1883: "

describe("CONNACK return codes 1-5 are each named [MQTT-3.2.2.3]", () => {
    test.each([
        [1, "unacceptable protocol version (CONNACK 1): the broker does not speak MQTT 3.1.1"],
        [2, "identifier rejected (CONNACK 2): the broker does not accept the client id 'observer-1'"],
        [3, "server unavailable (CONNACK 3): the broker is up but not accepting connections now"],
        [
            4,
            "bad user name or password (CONNACK 4): the broker refused the login of user 'sensor'; check MQTT_USER and MQTT_PASS in .env.local",
        ],
        [
            5,
            "not authorised (CONNACK 5): the broker refused the login of user 'sensor'; check MQTT_USER and MQTT_PASS in .env.local",
        ],
    ])("CONNACK %i", (rc, text) => {
        const e = classify(attempt({ returnCode: rc, username: "sensor", firstBytes: Buffer.from([0x20, 2, 0, rc]) }))!
        expect(e.kind).toBe("connack")
        expect(e.returnCode).toBe(rc)
        expect(e.message).toBe(HEAD + text)
        expect(CONNACK_NAMES[rc]).toBe(text.replace(/ \(CONNACK.*/, ""))
    })

    test("CONNACK 4 without credentials says the broker wants a login", () => {
        expect(classify(attempt({ returnCode: 4 }))!.message).toBe(
            HEAD +
                "bad user name or password (CONNACK 4): no MQTT_USER/MQTT_PASS set, and this broker wants a login: put them in .env.local",
        )
    })
})

describe("network failures", () => {
    test("refused", () => {
        const e = classify(attempt({ tcpConnected: false, error: err("ECONNREFUSED") }))!
        expect([e.kind, e.message]).toEqual([
            "refused",
            HEAD + "connection refused (nothing listens on broker.lan port 1883)",
        ])
    })

    test.each(["ENOTFOUND", "EAI_AGAIN"])("host not found (%s)", code => {
        const e = classify(attempt({ tcpConnected: false, error: err(code, `getaddrinfo ${code} broker.lan`) }))!
        expect([e.kind, e.message]).toEqual(["host_not_found", HEAD + "host not found: no address for 'broker.lan'"])
    })

    test("timeout, told apart by how far the connection got", () => {
        expect(classify(attempt({ tcpConnected: false, timedOut: true }))!.message).toBe(
            HEAD + "timeout: no TCP connection within 5000 ms",
        )
        expect(classify(attempt({ tls: true, timedOut: true }))!.message).toBe(
            HEAD + "timeout: the TLS handshake did not finish within 5000 ms",
        )
        expect(classify(attempt({ timedOut: true }))!.message).toBe(
            HEAD + "timeout: connected, but no CONNACK within 5000 ms",
        )
    })

    test("something that is not a CONNACK: not an MQTT broker, with the bytes", () => {
        const e = classify(attempt({ firstBytes: Buffer.from("HTTP/1.1 400") }))!
        expect([e.kind, e.message]).toEqual([
            "not_mqtt",
            HEAD + "not an MQTT broker: the first bytes it sent are 48545450, not a CONNACK",
        ])
    })
})

describe("TLS", () => {
    const tls = { tls: true, url: "mqtts://broker.lan:8883", port: 8883 }
    const TLS_HEAD = "cannot connect to the broker at mqtts://broker.lan:8883: "
    const peer = {
        issuer: { CN: "Home CA", O: "home" },
        subject: { CN: "broker.lan" },
        valid_to: "Jan  1 00:00:00 2024 GMT",
        valid_from: "Jan  1 00:00:00 2030 GMT",
    } as never

    test.each([
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    ])("%s: not trusted, with the issuer", code => {
        const e = classify(attempt({ ...tls, peer, error: err(code) }))!
        expect([e.kind, e.message]).toEqual([
            "tls_untrusted",
            TLS_HEAD +
                "TLS certificate not trusted: issued by CN=Home CA, O=home, which is not among the system CAs; give a private CA with --ca FILE or MQTT_CA_FILE in .env.local",
        ])
    })

    test("not yet valid", () => {
        expect(classify(attempt({ ...tls, peer, error: err("CERT_NOT_YET_VALID") }))!.message).toBe(
            TLS_HEAD + "TLS certificate not yet valid: valid from Jan  1 00:00:00 2030 GMT",
        )
    })

    test("a plain port answering a TLS ClientHello: probed, then 'does not speak TLS'", () => {
        const a = attempt({
            ...tls,
            error: err("ECONNRESET", "Client network socket disconnected before secure TLS connection was established"),
        })
        expect(classify(a)).toBeNull()
        expect(portMistake(a, true).message).toBe(
            TLS_HEAD +
                "this port does not speak TLS (it answers plain MQTT): use mqtt://broker.lan:8883 or the broker's TLS port",
        )
        expect(portMistake(a, false).message).toBe(
            TLS_HEAD +
                "TLS handshake failed: Client network socket disconnected before secure TLS connection was established",
        )
    })

    test("a TLS port answering plain MQTT with a TLS alert: 'expects TLS' without a probe", () => {
        const e = classify(attempt({ firstBytes: Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02]) }))!
        expect([e.kind, e.message]).toEqual([
            "plain_to_tls",
            HEAD + "this port expects TLS: use mqtts://broker.lan:1883",
        ])
    })

    test("a port that just closes: probed, then 'closed before its CONNACK'", () => {
        const a = attempt()
        expect(classify(a)).toBeNull()
        expect(portMistake(a, false).message).toBe(HEAD + "the broker closed the connection before its CONNACK")
    })
})

describe("who and where", () => {
    test("the login comes from the settings, the CA from --ca before MQTT_CA_FILE (relative to the .env directory)", () => {
        const s = { MQTT_USER: "sensor", MQTT_PASS: "pw", MQTT_CA_FILE: "certs/ca.pem" }
        expect(loginFromSettings(s, "/proj")).toEqual({
            username: "sensor",
            password: "pw",
            caFile: "/proj/certs/ca.pem",
        })
        expect(loginFromSettings(s, "/proj", "/etc/ca.pem").caFile).toBe("/etc/ca.pem")
        expect(loginFromSettings({}, "/proj")).toEqual({ username: "", password: "", caFile: "" })
    })

    test("the URL is normalised for messages and never carries the login", () => {
        const t = brokerTarget("mqtts://broker.lan", { username: "sensor", password: "pw" })
        expect(t).toMatchObject({
            url: "mqtts://broker.lan:8883",
            host: "broker.lan",
            port: 8883,
            tls: true,
            username: "sensor",
        })
        expect(t.url).not.toContain("pw")
        expect(brokerTarget("mqtt://[::1]:1884").url).toBe("mqtt://[::1]:1884")
    })

    test("a password that looks like a number stays what was typed", () => {
        expect(parseEnv("MQTT_PASS=007\nMQTT_PORT=1883\nA=1.50\n")).toEqual({
            MQTT_PASS: "007",
            MQTT_PORT: 1883,
            A: "1.50",
        })
    })
})
