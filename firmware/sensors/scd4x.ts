/**
 * Sensirion SCD4x (SCD40, SCD41): CO2, temperature and humidity at I2C 0x62.
 * Datasheet: Sensirion "SCD4x", version 1.3 (September 2022).
 *
 * Periodic measurement: the chip produces one result every 5 s on its own; a
 * read returns the newest result, waiting (bounded) for the first one after
 * start. 16-bit commands, answers as CRC-protected words.
 */
import * as ds from "@devicescript/core"
import { ChipDriverOptions, Quantities } from "./chip-driver"
import { SensirionDriver } from "./sensirion-driver"
import { ERR_TIMEOUT, hexWord, SensorError } from "./sensor-error"
import { Q_CO2, Q_HUMIDITY, Q_TEMPERATURE } from "./sensor-spec"

export const SCD4X_ADDRESS = 0x62 // 3, Table 8

// 3.4, Table 9: command codes and execution times
const CMD_START_PERIODIC = 0x21b1 // 3.5.1
const CMD_READ_MEASUREMENT = 0xec05 // 3.5.2, 1 ms
const CMD_STOP_PERIODIC = 0x3f86 // 3.5.3, 500 ms
const CMD_GET_DATA_READY = 0xe4b8 // 3.8.2, 1 ms
const CMD_GET_SERIAL = 0x3682 // 3.9.2, 1 ms

/** 3.5.3: "the sensor will only respond to other commands after waiting 500 ms". */
const STOP_PERIODIC_MS = 500
/** Table 9: read_measurement, get_data_ready_status and get_serial_number take 1 ms. */
const READ_COMMAND_MS = 1
/** 3.5.1: signal update interval of periodic measurement. */
export const SCD4X_INTERVAL_MS = 5000
/** 3.8.2: data ready when the 11 least significant bits of the status word are not all 0. */
const DATA_READY_MASK = 0x07ff
const POLL_MS = 100

export interface SCD4xOptions extends ChipDriverOptions {
    /**
     * A reading older than this (or no first reading this long after start) is
     * a timeout. Default: two update intervals, so one missed update is tolerated.
     */
    dataTimeoutMs?: number
}

export class SCD4xDriver extends SensirionDriver {
    serial = ""
    private readonly dataTimeoutMs: number
    private startedMs = 0
    private lastDataMs = 0
    private last: Quantities = null

    constructor(address: number, options?: SCD4xOptions) {
        super("scd4x", address, options)
        const t = options ? options.dataTimeoutMs : undefined
        this.dataTimeoutMs = t ? t : 2 * SCD4X_INTERVAL_MS
    }

    protected override async initDriver(): Promise<void> {
        // A sensor still measuring (the MCU restarted, the chip did not) refuses
        // most commands: stop first, which is harmless when it is idle (3.5.3).
        await this.command(CMD_STOP_PERIODIC)
        await ds.sleep(STOP_PERIODIC_MS)
        const serial = await this.query(CMD_GET_SERIAL, 3, "serial number")
        this.serial = hexWord(serial[0]) + hexWord(serial[1]) + hexWord(serial[2])
        await this.command(CMD_START_PERIODIC)
        this.startedMs = ds.millis()
        this.last = null
    }

    protected override async readData(): Promise<Quantities> {
        for (;;) {
            const status = await this.query(CMD_GET_DATA_READY, 1, "data ready status")
            if (status[0] & DATA_READY_MASK) {
                const w = await this.query(CMD_READ_MEASUREMENT, 3, "measurement")
                // Sensirion's drivers skip a 0 ppm sample: the first one after a (re)start can be empty.
                if (w[0] !== 0) {
                    const q: Quantities = {}
                    q[Q_CO2] = w[0]
                    q[Q_TEMPERATURE] = scd4xTemperature(w[1])
                    q[Q_HUMIDITY] = scd4xHumidity(w[2])
                    this.last = q
                    this.lastDataMs = ds.millis()
                    return q
                }
            }
            const now = ds.millis()
            // The newest result is at most one update interval old: it is still the current value.
            if (this.last && now - this.lastDataMs < SCD4X_INTERVAL_MS) return this.last
            const since = this.last ? this.lastDataMs : this.startedMs
            if (now - since >= this.dataTimeoutMs) {
                throw new SensorError(ERR_TIMEOUT, this.where() + ": no new measurement for " + (now - since) + " ms")
            }
            await ds.sleep(POLL_MS)
        }
    }

    override describe(): string {
        return "serial 0x" + this.serial
    }

    /** A "read" sequence (3.3): command, execution time, then words with CRC. */
    private async query(cmd: number, count: number, what: string): Promise<number[]> {
        await this.command(cmd)
        await ds.sleep(READ_COMMAND_MS)
        return await this.words(count, what)
    }
}

/** 3.5.2: T = -45 + 175 * word / 2^16 °C (Sensirion's reference driver uses the same 2^16). */
export function scd4xTemperature(word: number): number {
    return -45 + (175 * word) / 65536
}

/** 3.5.2: RH = 100 * word / 2^16 %RH. */
export function scd4xHumidity(word: number): number {
    return (100 * word) / 65536
}
