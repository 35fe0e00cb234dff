/**
 * Composition root: config -> sensors -> MQTT session -> telemetry publisher,
 * diagnostics, Home Assistant discovery and the period downlink.
 */
import * as ds from "@devicescript/core"
import { describeConfig, readConfig, sessionOptions } from "./config"
import { Broker, brokerOf, parseBrokers, shuffleBrokers } from "./mqtt/brokers"
import { Session } from "./mqtt/session"
import { LOG_INFO } from "./mqtt/transport"
import { DsRuntime } from "./net/runtime"
import { watchNetwork } from "./net/network-watch"
import { SocketTransport } from "./net/socket-transport"
import { Waker } from "./net/waker"
import { brokerHostError, noNetworkRebootS, tlsConfigError } from "./platform"
import { sensorsFromConfig } from "./sensors/registry"
import { DeviceLog } from "./telemetry/device-log"
import { DiagnosticsReporter } from "./telemetry/diagnostics-reporter"
import { HaDiscovery } from "./telemetry/ha-discovery"
import { PeriodCommands } from "./telemetry/period-downlink"
import { DeviceCommands } from "./telemetry/commands"
import { StatusKeeper } from "./telemetry/status-keeper"
import { TelemetryPublisher } from "./telemetry/publisher"
import { commandsFilter, STATUS_OFFLINE, STATUS_ONLINE, topicsFor } from "./telemetry/topics"
import { newBootId } from "./time/boot-id"
import { TimeSync } from "./time/time-sync"
import { FIRMWARE_VERSION } from "./version"

// Issue 14: a random id per boot (no flash write), carried by every telemetry and diagnostics message.
const boot = newBootId()
const cfg = await readConfig()
console.log("config: " + describeConfig(cfg) + ", boot " + boot)
// The runtime's archId, or the simulator's board profile (platform.ts boardArch).
const arch = cfg.arch
// MQTT_HOSTS is parsed once, here: the session keeps these objects for the life of the program.
const parsed = cfg.hosts ? parseBrokers(cfg.hosts, cfg.port, cfg.tls) : [brokerOf(cfg.host, cfg.port, cfg.tls)]
let configError = typeof parsed === "string" ? parsed : ""
const brokers = typeof parsed === "string" ? [] : (parsed as Broker[])
for (const b of brokers)
    if (!configError)
        configError =
            tlsConfigError(b.tls, arch) || brokerHostError(b.host, arch, cfg.hosts ? "MQTT_HOSTS" : "MQTT_HOST")
if (cfg.shuffle) shuffleBrokers(brokers, cfg.deviceName)
if (configError) {
    // Fail fast and say why, instead of a loop of failing connects.
    console.error("config: " + configError)
    await ds.sleep(1e9)
}
const topics = topicsFor(cfg.prefix, cfg.deviceName)

// The settings table's MQTT rows (settings.ts), then what is not a setting.
const opts = sessionOptions(cfg)
opts.brokers = brokers
opts.clientId = cfg.deviceName
opts.password = cfg.password ? Buffer.from(cfg.password) : null
opts.will = { topic: topics.status, payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true }
opts.birth = { topic: topics.status, payload: Buffer.from(STATUS_ONLINE), retain: true }
opts.offlinePayload = Buffer.from(STATUS_OFFLINE)
const transport = new SocketTransport()
const session = new Session(opts, transport, new DsRuntime(LOG_INFO), new Waker())
/**
 * A service's loop, run in a fiber of its own by `runService.start(service)`: a top-level function
 * started with an argument holds nothing else alive (a closure would keep its creator's frame).
 */
async function runService(service: { run(): Promise<void> }) {
    await service.run()
}

/** The session's fiber: after a planned stop (commands.ts) the board resets, or stays off the network. */
async function runSession() {
    await session.run()
    if (commands.rebootAsked) ds.reboot()
    console.log("power: stopped; reset or power-cycle the board to start it again")
}
runSession.start()
const rebootAfterS = cfg.noNetRebootS >= 0 ? cfg.noNetRebootS : noNetworkRebootS(arch)
if (rebootAfterS > 0) watchNetwork(transport, rebootAfterS * 1000)

// Issue 14: Unix time over the MQTT connection (firmware/time/), for the `ts` of every reading.
const timeSync = new TimeSync(session, topics.timeReq, topics.timeResp)
runService.start(timeSync)

// SENSORS lists chips (e.g. "bme280@0x76,sht4x"); empty: the Jacdac sensors (the simulator's, or a board's servers).
const sensors = sensorsFromConfig(cfg.sensors)
const publisher = new TelemetryPublisher(session, sensors, topics.telemetry, cfg.periodMs, boot, timeSync.clock)

let discovery: HaDiscovery = null
if (cfg.haDiscovery) {
    const device = {
        name: cfg.deviceName,
        // Home Assistant's identity of the device (issue 29): the hardware's, not the name.
        id: ds.deviceIdentifier("self"),
        model: "DeviceScript MQTT telemetry (" + arch + ")",
        swVersion: FIRMWARE_VERSION,
    }
    discovery = new HaDiscovery(session, device, topics, cfg.sensors, cfg.periodMs, cfg.diagPeriodMs)
    runService.start(discovery)
}
const deviceLog = new DeviceLog(session, topics.log, opts.maxInboundBytes)
session.inboundDropped = deviceLog
runService.start(new PeriodCommands(session, topics.setPeriod, publisher, discovery, deviceLog))

const diagnostics = new DiagnosticsReporter(session, topics.diagnostics, cfg.diagPeriodMs, boot, timeSync.clock, arch)
runService.start(diagnostics)
const statusKeeper = new StatusKeeper(session, topics, discovery, diagnostics, deviceLog)
runService.start(statusKeeper)
const commands = new DeviceCommands(
    session,
    topics,
    commandsFilter(cfg.prefix, cfg.deviceName),
    boot,
    statusKeeper,
    deviceLog,
)

await publisher.run()
