/** Firmware version, reported in diagnostics and Home Assistant's device block. Kept equal to package.json (tested). */
export const FIRMWARE_VERSION = "0.1.0"
