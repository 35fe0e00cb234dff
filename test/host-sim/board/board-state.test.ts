/**
 * The rest of a board profile: Wi-Fi re-join (wifi-link.ts), flash kept across resets
 * (flash-store.ts), resets (reset.ts), and the profile table itself (profiles.ts).
 */
import { describe, expect, test } from "vitest"
import { FlashStore, type FlashVm } from "../../../host-sim/board/flash-store.ts"
import { BOARD_PROFILES, boardProfile } from "../../../host-sim/board/profiles.ts"
import { ESP32_REBOOT_SLEEP_MS, resetDelayMs, resetReason, standbyMsInFrame } from "../../../host-sim/board/reset.ts"
import { WifiLink } from "../../../host-sim/board/wifi-link.ts"

describe("profiles", () => {
    test("flash: 256 KiB on the ESP32 family, 128 KiB on the Pico W; kept across resets everywhere (the plain simulator restarts only in reboot/powercut scenarios)", () => {
        expect(["esp32", "esp32c3", "esp32s3"].map(b => boardProfile(b).flashBytes)).toEqual([262144, 262144, 262144])
        expect(boardProfile("picow").flashBytes).toBe(131072)
        expect(boardProfile("").persistFlash).toBe(true)
        expect(boardProfile("picow").persistFlash).toBe(true)
    })
    test("an unknown board is an error naming the known ones; no name is the plain simulator", () => {
        expect(() => boardProfile("esp8266")).toThrow(/esp32, esp32c3, esp32s3, picow/)
        expect(boardProfile(undefined).id).toBe("sim")
        expect(boardProfile(" PicoW ").id).toBe("picow")
    })
})

describe("Wi-Fi link", () => {
    test("every board re-joins after a short outage", () => {
        const clock = { t: 0 }
        const changes: boolean[] = []
        const link = new WifiLink(
            BOARD_PROFILES.picow.rejoinGiveUpMs,
            () => {},
            () => clock.t,
        )
        link.on("change", up => changes.push(up))
        link.setAccessPoint(false)
        expect(link.linked).toBe(false)
        clock.t += 5_000
        link.setAccessPoint(true)
        expect(link.linked).toBe(true)
        expect(changes).toEqual([false, true])
    })
    test("a Pico W whose re-join failed stays offline when the access point returns, until it resets", () => {
        const clock = { t: 0 }
        const log: string[] = []
        const link = new WifiLink(
            BOARD_PROFILES.picow.rejoinGiveUpMs,
            l => log.push(l),
            () => clock.t,
        )
        link.setAccessPoint(false)
        clock.t += 30_000
        link.setAccessPoint(true)
        expect(link.linked).toBe(false)
        expect(log.at(-1)).toMatch(/never retries.*offline until reset/)
        link.reset()
        expect(link.linked).toBe(true)
    })
    test("an ESP32 re-joins after any outage", () => {
        const clock = { t: 0 }
        const link = new WifiLink(
            BOARD_PROFILES.esp32.rejoinGiveUpMs,
            () => {},
            () => clock.t,
        )
        link.setAccessPoint(false)
        clock.t += 600_000
        link.setAccessPoint(true)
        expect(link.linked).toBe(true)
    })
})

describe("flash store", () => {
    const vm = (): FlashVm => ({ flashLoad: null, flashSave: null })
    test("the image the VM saved is what the next boot loads", () => {
        const store = new FlashStore(131072, true)
        const first = vm()
        store.attach(first)
        expect(first.flashSize).toBe(131072)
        expect(first.flashLoad).toBeNull() // an empty store: the VM formats it
        first.flashSave!(new Uint8Array([1, 2, 3]))
        const second = vm()
        store.attach(second)
        expect(Array.from(second.flashLoad!())).toEqual([1, 2, 3])
    })
    test("without persistence nothing is loaded or kept (the plain simulator)", () => {
        const store = new FlashStore(131072, false)
        const v = vm()
        store.attach(v)
        expect(v.flashLoad).toBeNull()
        expect(v.flashSave).toBeNull()
    })
})

describe("resets", () => {
    test("target_reset's ExitStatus and a board assert are resets; other errors are not", () => {
        expect(resetReason({ name: "ExitStatus", status: 0 })).toBe("target_reset()")
        expect(resetReason(Object.assign(new Error("TLS assert"), { name: "BoardReset" }))).toBe("TLS assert")
        expect(resetReason(new Error("boom"))).toBeNull()
        expect(resetReason(undefined)).toBeNull()
    })
    test("ESP32 sleeps for the standby time (20 ms for a reboot), a Pico W resets at once, the simulator halts", () => {
        expect(resetDelayMs(BOARD_PROFILES.esp32, 1500)).toBe(1500)
        expect(resetDelayMs(BOARD_PROFILES.esp32s3, null)).toBe(ESP32_REBOOT_SLEEP_MS)
        expect(resetDelayMs(BOARD_PROFILES.picow, 1500)).toBe(0)
        expect(resetDelayMs(BOARD_PROFILES.sim, 1500)).toBeNull()
    })
    test("a standby command to the device's own control service is found in its frame", () => {
        const id = "e2e0000100beef00"
        // crc16, size 8, flags 0x01 (command), device id, then [size 4, service 0, cmd 0x0087, u32 2500]
        const frame = Buffer.concat([
            Buffer.from([0, 0, 8, 0x01]),
            Buffer.from(id, "hex"),
            Buffer.from([4, 0, 0x87, 0x00]),
            Buffer.from([0xc4, 0x09, 0, 0]),
        ])
        expect(standbyMsInFrame(frame, id)).toBe(2500)
        expect(standbyMsInFrame(frame, "0000000000000000")).toBeNull()
        const report = Buffer.from(frame)
        report[3] = 0
        expect(standbyMsInFrame(report, id)).toBeNull()
    })
})
