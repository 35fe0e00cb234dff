/**
 * How a board resets, seen from the simulator: `standby(ms)` and `ds.reboot()` end in
 * `target_reset()`, which in the WASM VM is `exit(0)` (ds:runtime/posix/jd_impl_em.c:159-162): the
 * glue throws an `ExitStatus` out of `_jd_em_process`, hands it to `Module.error` and stops the VM for
 * good. A board profile turns that into a reset: ESP32 deep-sleeps for the standby time (a
 * `reboot()` sleeps 20 ms) and boots again (esp:main/platform.c:52-64); a Pico W has no
 * `target_standby`, so it resets at once and ignores the time (pico:src/platform.c:113-115).
 * The board socket's `BoardReset` (an ESP32 TLS assert) arrives the same way.
 */
import type { BoardProfile } from "./profiles.ts"

/** Control service, command `standby` (jacdac spec: ControlCmd.Standby = 0x87, argument u32 ms). */
const CONTROL_CMD_STANDBY = 0x87
const JD_FRAME_FLAG_COMMAND = 0x01
/** `ds.reboot()` on ESP32: a 20 ms deep sleep, then the reset (esp:main/platform.c:52-59). */
export const ESP32_REBOOT_SLEEP_MS = 20

/** Why the VM stopped, if it was a reset (`ExitStatus` from target_reset, or a BoardReset); else null. */
export function resetReason(e: unknown): string | null {
    const name = (e as { name?: string } | null)?.name
    if (name === "ExitStatus") return "target_reset()"
    if (name === "BoardReset") return (e as Error).message
    return null
}

/**
 * The standby time in a frame the VM sends to its own control service, or null.
 * Frame: crc16, size, flags, device id (8 B), then packets of [size, service index, command u16, payload].
 */
export function standbyMsInFrame(frame: Uint8Array, deviceIdHex: string): number | null {
    if (frame.length < 12 || !(frame[3] & JD_FRAME_FLAG_COMMAND)) return null
    if (Buffer.from(frame.subarray(4, 12)).toString("hex") !== deviceIdHex.toLowerCase()) return null
    const end = Math.min(frame.length, 12 + frame[2])
    for (let off = 12; off + 4 <= end; off += (4 + frame[off] + 3) & ~3) {
        const size = frame[off]
        const service = frame[off + 1]
        const cmd = frame[off + 2] | (frame[off + 3] << 8)
        if (service === 0 && cmd === CONTROL_CMD_STANDBY && size >= 4)
            return Buffer.from(frame.subarray(off + 4, off + 8)).readUInt32LE(0)
    }
    return null
}

/** How long the board is away before it boots again; null: it never comes back (the plain simulator). */
export function resetDelayMs(profile: BoardProfile, standbyMs: number | null): number | null {
    switch (profile.standby) {
        case "halt":
            return null
        case "reset":
            return 0
        case "sleep-then-reset":
            return standbyMs ?? ESP32_REBOOT_SLEEP_MS
    }
}
