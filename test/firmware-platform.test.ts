import { expect, test } from "vitest"
import { defaultDeviceName, tlsConfigError, tlsSupported } from "../firmware/platform.ts"

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

test("C31: the default client id is 1-23 characters of [0-9a-zA-Z]", () => {
    for (const id of ["d5e7000100c0ffee", "E2E3FAC10000BEEF", "12ab"]) expect(defaultDeviceName(id)).toMatch(/^[0-9a-zA-Z]{1,23}$/)
    expect(defaultDeviceName("d5e7000100c0ffee")).toBe("devsd5e7000100c0")
})
