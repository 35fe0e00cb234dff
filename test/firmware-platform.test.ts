import { expect, test } from "vitest"
import {
    brokerHostError,
    defaultDeviceName,
    isIpv4Literal,
    noNetworkRebootS,
    tlsConfigError,
    tlsSupported,
} from "../firmware/platform.ts"

test("Pico W (rp2040w) and Pico have no TLS; ESP32 variants and the simulator do", () => {
    expect(tlsSupported("rp2040w")).toBe(false)
    expect(tlsSupported("rp2040")).toBe(false)
    for (const a of ["esp32", "esp32c3", "esp32s3", "wasm"]) expect(tlsSupported(a)).toBe(true)
})

test("a TLS config on Pico W is refused with a message that says what to do", () => {
    expect(tlsConfigError(true, "rp2040w")).toMatch(/MQTT_TLS=true.*rp2040w.*no TLS.*MQTT_TLS=false/)
    expect(tlsConfigError(false, "rp2040w")).toBe("")
    expect(tlsConfigError(true, "esp32c3")).toBe("")
})

test("an IP-literal broker is refused on Pico W only, with a message that says what to do", () => {
    expect(isIpv4Literal("192.168.1.10")).toBe(true)
    expect(isIpv4Literal("192.168.1.256")).toBe(false)
    expect(isIpv4Literal("broker.lan")).toBe(false)
    expect(isIpv4Literal("1.2.3")).toBe(false)
    expect(brokerHostError("192.168.1.10", "rp2040w")).toMatch(/IP address.*host name/)
    expect(brokerHostError("broker.lan", "rp2040w")).toBe("")
    expect(brokerHostError("10.0.0.2", "rp2040w", "MQTT_HOSTS")).toMatch(
        /^MQTT_HOSTS=10\.0\.0\.2 is an IP address.*set MQTT_HOSTS to it$/,
    )
    expect(brokerHostError("192.168.1.10", "esp32")).toBe("")
    expect(brokerHostError("127.0.0.1", "wasm")).toBe("")
})

test("only the Pico W reboots itself after a long time without a network", () => {
    expect(noNetworkRebootS("rp2040w")).toBeGreaterThan(0)
    expect(noNetworkRebootS("esp32s3")).toBe(0)
    expect(noNetworkRebootS("wasm")).toBe(0)
})

test("C31: the default client id is 1-23 characters of [0-9a-zA-Z]", () => {
    for (const id of ["d5e7000100c0ffee", "E2E3FAC10000BEEF", "12ab"])
        expect(defaultDeviceName(id)).toMatch(/^[0-9a-zA-Z]{1,23}$/)
    expect(defaultDeviceName("d5e7000100c0ffee")).toBe("devsd5e7000100c0")
})
