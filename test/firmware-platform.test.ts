import { expect, test } from "vitest"
import { tlsConfigError, tlsSupported } from "../firmware/platform.ts"

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
