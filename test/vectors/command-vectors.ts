/**
 * Downlink command texts and what the device must answer (issue 22), shared by the Node test
 * (test/telemetry/commands.test.ts) and the on-VM run (test/device/commands.ts): the VM once took
 * `1e5`, `1000abc`, `0x400`, `1000.7` and `+2000` as periods while Node refused them. Pure data.
 */
export interface PeriodVector {
    text: string
    ok: boolean
    periodMs: number
}

export const PERIOD_VECTORS: PeriodVector[] = [
    { text: "2000", ok: true, periodMs: 2000 },
    { text: " 100 ", ok: true, periodMs: 100 },
    { text: "3600000", ok: true, periodMs: 3600000 },
    { text: "0100", ok: true, periodMs: 100 },
    { text: "99", ok: false, periodMs: 0 },
    { text: "3600001", ok: false, periodMs: 0 },
    { text: "abc", ok: false, periodMs: 0 },
    { text: "1e3", ok: false, periodMs: 0 },
    { text: "1e5", ok: false, periodMs: 0 },
    { text: "2e3", ok: false, periodMs: 0 },
    { text: "1000abc", ok: false, periodMs: 0 },
    { text: "0x400", ok: false, periodMs: 0 },
    { text: "1000.7", ok: false, periodMs: 0 },
    { text: "1000.5", ok: false, periodMs: 0 },
    { text: "+2000", ok: false, periodMs: 0 },
    { text: "-5", ok: false, periodMs: 0 },
    { text: "1 000", ok: false, periodMs: 0 },
    { text: "", ok: false, periodMs: 0 },
    { text: '"2000"', ok: false, periodMs: 0 },
    { text: "2000\u0000", ok: false, periodMs: 0 },
    { text: "\u00e9\u00e9\u00e9", ok: false, periodMs: 0 },
    { text: "99999999999999999999", ok: false, periodMs: 0 },
]

/** parseDecimal(text, 15) */
export const DECIMAL_VECTORS: { text: string; value: number }[] = [
    { text: "0", value: 0 },
    { text: "42", value: 42 },
    { text: "000000000000123", value: 123 },
    { text: "999999999999999", value: 999999999999999 },
    { text: "1000000000000000", value: NaN },
    { text: "", value: NaN },
    { text: "-1", value: NaN },
    { text: "1e5", value: NaN },
    { text: "12 ", value: NaN },
    { text: "Infinity", value: NaN },
]
