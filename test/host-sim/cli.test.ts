/**
 * Command-line parsing, scenarios and the live table of `npm start`.
 */
import { describe, expect, test } from "vitest"
import { autoVmsPerProcess, MAX_VMS_PER_PROCESS, OWN_PROCESS_UP_TO, parseArgs } from "../../host-sim/cli/cli-args.ts"
import { parseDashboardArgs } from "../../host-sim/dashboard/main.ts"
import { parseBrokerUrl } from "../../host-sim/link/broker-url.ts"
import { LiveTable } from "../../host-sim/cli/live-table.ts"
import { PAYLOAD_CHARS, clip, formatMessage } from "../../host-sim/cli/live-view.ts"
import { parseScenario } from "../../host-sim/chaos/scenario.ts"

describe("options", () => {
    test("known options parse, with = or a separate value", () => {
        expect(
            parseArgs([
                "--broker",
                "mqtt://h:1",
                "--ca",
                "ca.pem",
                "--duration=30",
                "--period",
                "500",
                "--devices",
                "3",
                "--scenario",
                "fail:humidity@1-2",
            ]),
        ).toMatchObject({
            broker: "mqtt://h:1",
            ca: "ca.pem",
            durationS: 30,
            periodMs: 500,
            devices: 3,
            scenarios: ["fail:humidity@1-2"],
        })
    })
    test("without --vms-per-process: a process per device up to 8 devices, else about one process per core, at most 150 VMs each (issue 28)", () => {
        expect(autoVmsPerProcess(1, 2)).toBe(1)
        expect(autoVmsPerProcess(OWN_PROCESS_UP_TO, 2)).toBe(1)
        expect(autoVmsPerProcess(200, 2)).toBe(100)
        expect(autoVmsPerProcess(200, 8)).toBe(25)
        expect(autoVmsPerProcess(1000, 2)).toBe(MAX_VMS_PER_PROCESS)
        expect(autoVmsPerProcess(9, 1)).toBe(9)
    })

    test("--vms-per-process puts that many device VMs in each process; the default is a process per device", () => {
        expect(parseArgs(["--devices", "200", "--vms-per-process", "100"], {})).toMatchObject({
            devices: 200,
            vmsPerProcess: 100,
        })
        // 0: not given, chosen from the fleet and the machine (autoVmsPerProcess).
        expect(parseArgs([], {}).vmsPerProcess).toBe(0)
        expect(() => parseArgs(["--vms-per-process", "0"], {})).toThrow(/--vms-per-process needs a positive integer/)
    })
    test.each([
        ["--bogus"],
        ["--duration", "-1"],
        ["--period", "abc"],
        ["--devices", "1.5"],
        ["--broker"],
        ["--ca"],
        ["--view", "fancy"],
    ])("rejects %s", (...args) => {
        expect(() => parseArgs(args)).toThrow()
    })
    test("--broker-cluster names a cluster kind and its nodes (3 by default), and excludes --broker", () => {
        expect(parseArgs(["--broker-cluster", "nats"], {}).brokerCluster).toBe("nats:3")
        expect(parseArgs(["--broker-cluster=aedes-redis:5"], {}).brokerCluster).toBe("aedes-redis:5")
        expect(() => parseArgs(["--broker-cluster", "mosquitto:3"], {})).toThrow(
            /KIND one of nats, rabbitmq, aedes-redis, got 'mosquitto:3'/,
        )
        expect(() => parseArgs(["--broker-cluster", "rabbitmq:1"], {})).toThrow(/2 to 5 nodes, got 1/)
        expect(() => parseArgs(["--broker-cluster", "nats:3", "--broker", "mqtt://h:1"], {})).toThrow(
            /exclude each other/,
        )
    })
    test("--board picks a board profile; BOARD is the default; neither is the plain simulator", () => {
        expect(parseArgs(["--board", "picow"], {}).board).toBe("picow")
        expect(parseArgs([], { BOARD: "esp32s3" }).board).toBe("esp32s3")
        expect(parseArgs(["--board=esp32"], { BOARD: "picow" }).board).toBe("esp32")
        expect(parseArgs([], {}).board).toBe("sim")
        expect(() => parseArgs(["--board", "esp8266"], {})).toThrow(/--board: unknown board 'esp8266'/)
        expect(() => parseArgs([], { BOARD: "nano" })).toThrow(/BOARD: unknown board/)
    })
    test("broker URLs: scheme, default ports, no credentials", () => {
        expect(parseBrokerUrl("mqtt://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 1883, tls: false })
        expect(parseBrokerUrl("mqtts://broker.lan")).toEqual({ host: "broker.lan", port: 8883, tls: true })
        expect(() => parseBrokerUrl("mqtt://u:secret@h:1883")).toThrow(/credentials/)
        expect(() => parseBrokerUrl("http://h")).toThrow(/scheme/)
        expect(() => parseBrokerUrl("not a url")).toThrow(/invalid broker URL/)
    })
})

describe("dashboard options", () => {
    test("npm start serves the dashboard on a free port unless told a port or --no-dashboard", () => {
        expect(parseArgs([], {})).toMatchObject({ dashboard: true, dashboardPort: 0 })
        expect(parseArgs(["--dashboard-port", "8080"], {})).toMatchObject({ dashboard: true, dashboardPort: 8080 })
        expect(parseArgs(["--no-dashboard"], {})).toMatchObject({ dashboard: false })
        expect(() => parseArgs(["--dashboard-port", "70000"], {})).toThrow(/1\.\.65535/)
    })
    test("npm run dashboard needs --broker; the rest is optional", () => {
        expect(parseDashboardArgs(["--broker", "mqtt://h:1", "--port=9000", "--prefix", "plant"])).toEqual({
            broker: "mqtt://h:1",
            ca: "",
            port: 9000,
            prefix: "plant",
            durationS: 0,
            help: false,
        })
        expect(() => parseDashboardArgs([])).toThrow(/--broker is required/)
        expect(() => parseDashboardArgs(["--broker", "mqtt://h:1", "--prefix", "a/b"])).toThrow(/one topic level/)
        expect(() => parseDashboardArgs(["--broker", "mqtt://h:1", "--bogus"])).toThrow(/unknown option/)
    })
})

describe("scenarios", () => {
    const sensors = ["temperature", "humidity", "pressure"]
    test("MODE:SENSOR[@START[-END]]", () => {
        expect(parseScenario("fail:humidity@10-25", sensors)).toEqual({
            mode: "fail",
            sensor: "humidity",
            startS: 10,
            endS: 25,
        })
        expect(parseScenario("stuck:temperature", sensors)).toEqual({
            mode: "stuck",
            sensor: "temperature",
            startS: 0,
            endS: 0,
        })
    })
    test("wifi-down@START[-END]: the access point goes away for that window", () => {
        expect(parseScenario("wifi-down@10-40", sensors)).toEqual({ wifi: "down", startS: 10, endS: 40 })
        expect(parseScenario("wifi-down@5", sensors)).toEqual({ wifi: "down", startS: 5, endS: 0 })
    })
    test("reboot@T and powercut@T[-BACK]: restarts from flash; a power cut lasts 1 s unless BACK is given", () => {
        expect(parseScenario("reboot@30", sensors)).toEqual({ restart: "reboot", startS: 30, endS: 30 })
        expect(parseScenario("powercut@12", sensors)).toEqual({ restart: "powercut", startS: 12, endS: 13 })
        expect(parseScenario("powercut@12-20.5", sensors)).toEqual({ restart: "powercut", startS: 12, endS: 20.5 })
    })
    test.each([
        "boom:humidity",
        "fail:co3",
        "fail:humidity@5-2",
        "fail",
        "ok:humidity",
        "wifi-down@9-3",
        "wifi-up@1",
        "reboot@5-9",
        "powercut@9-3",
        "powercut",
        "reboot@",
    ])("rejects %s", s => {
        expect(() => parseScenario(s, sensors)).toThrow(/--scenario/)
    })
})

test("the live table shows each device's latest values and sensor statuses", () => {
    const out = { write: () => true } as unknown as NodeJS.WriteStream
    const t = new LiveTable(out, "header")
    const at = 1_000_000
    t.update({ topic: "devs/a/status", payload: Buffer.from("online"), retain: true, qos: 1, atMs: at })
    t.update({
        topic: "devs/a/telemetry",
        payload: Buffer.from(
            JSON.stringify({
                seq: 3,
                uptime_ms: 1,
                temperature: 21.5,
                status: { humidity: { status: "failed", error: "not_found", age_ms: -1 } },
            }),
        ),
        retain: false,
        qos: 1,
        atMs: at,
    })
    const text = t.render(at + 2000).join("\n")
    expect(text).toMatch(/a\s+online\s+#3\s+2 s ago/)
    expect(text).toMatch(/temperature\s+21\.50 °C\s+ok/)
    expect(text).toMatch(/humidity\s+-\s+failed \(not_found\)/)
})

test("the line view prints each quantity with the payload unit of the firmware's one table (humidity in %RH, a second sensor's key too)", () => {
    const p = {
        boot: "b",
        seq: 4,
        uptime_ms: 9,
        temperature: 21.5,
        humidity: 45.1,
        humidity_sht4x: 44,
        pressure: 1013.2,
        illuminance: 120,
        co2: 800,
        other: 1,
    }
    const line = formatMessage({
        topic: "devs/a/telemetry",
        payload: Buffer.from(JSON.stringify(p)),
        retain: false,
        qos: 1,
        atMs: 0,
    })
    expect(line).toContain(
        "#4  temperature 21.50 °C  humidity 45.10 %RH  humidity_sht4x 44.00 %RH  pressure 1013.20 hPa  illuminance 120.00 lx  co2 800.00 ppm  other 1.00  (boot b)",
    )
})

test("a diagnostics line cut in the terminal view ends in an ellipsis and says how long the payload was", () => {
    const diag = JSON.stringify({
        fw: "0.1.0",
        boot: "8221c469f0db",
        uptime_ms: 1726,
        mqtt: { connects: 1, x: "y".repeat(200) },
    })
    const m = { topic: "devs/sim1/diagnostics", payload: Buffer.from(diag), retain: false, qos: 1 as const, atMs: 0 }
    const line = formatMessage(m)
    expect(line).toContain(`diagnostics: ${diag.slice(0, PAYLOAD_CHARS - 1)}… (${diag.length} chars)`)
    // A payload that fits is shown whole, without an ellipsis.
    const short = formatMessage({ ...m, payload: Buffer.from('{"fw":"0.1.0"}') })
    expect(short).toMatch(/diagnostics: \{"fw":"0\.1\.0"\}$/)
    expect(clip("abc", 3)).toBe("abc")
})
