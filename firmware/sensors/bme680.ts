/**
 * Bosch BME680 (also BME688: same chip id and T/P/H registers) at I2C 0x76
 * (SDO low) or 0x77 (SDO high): temperature, pressure and humidity.
 * Datasheet BST-BME680-DS001; register names as in Bosch's BME68x Sensor API.
 *
 * Forced mode, oversampling x1, filter off, gas off: one T/P/H conversion per
 * read, then the chip sleeps. The gas heater is never switched on, so there is
 * no gas resistance reading (it would also need ~100 ms of heating per read).
 * Replaces the stock @devicescript/drivers one, which cost ~8 KB of bytecode
 * and restarted the program on an I2C error (PANIC 60005); this one fails fast
 * with a SensorError and I2CSensor degrades, as for the other chips.
 */
import * as ds from "@devicescript/core"
import { unpackRaw } from "./bme280-compensation"
import {
    Bme680Calibration,
    COEFF1_LENGTH,
    COEFF2_LENGTH,
    compensateBme680,
    parseBme680Calibration,
    REG_COEFF1,
    REG_COEFF2,
} from "./bme680-compensation"
import { ChipDriver, ChipDriverOptions, Quantities } from "./chip-driver"
import { ERR_BAD_ID, ERR_TIMEOUT, hexByte, SensorError } from "./sensor-error"
import { Q_HUMIDITY, Q_PRESSURE, Q_TEMPERATURE } from "./sensor-spec"

// Registers (datasheet memory map; BME68x API bme68x_defs.h)
const REG_MEAS_STATUS = 0x1d // meas_status_0: new_data_0 (bit 7), measuring (bit 5)
const REG_DATA = 0x1f // field 0: press[3], temp[3], hum[2]
const REG_CTRL_HUM = 0x72 // osrs_h[2:0]
const REG_CTRL_MEAS = 0x74 // osrs_t[7:5], osrs_p[4:2], mode[1:0]
const REG_ID = 0xd0
const REG_RESET = 0xe0

export const CHIP_ID_BME680 = 0x61
const CHIP_ID_BME280 = 0x60 // the same addresses and a similar name: a common mix-up

const RESET_WORD = 0xb6
const NEW_DATA = 0x80
const OSRS_X1 = 0x01
const MODE_FORCED = 0x01
const CTRL_MEAS_FORCED_X1 = (OSRS_X1 << 5) | (OSRS_X1 << 2) | MODE_FORCED

/** After a soft reset the API waits 10 ms (BME68X_PERIOD_RESET) before the chip is used. */
const RESET_MS = 10
/**
 * T, P and H at x1, no heater (API bme68x_get_meas_dur): 3 x 1.963 ms conversion
 * + 9 x 0.477 ms switching + 1 ms wake-up = 11.2 ms.
 */
const MEASURE_MS = 12
/** Then poll new_data; a conversion not done 100 ms after it started is a timeout. */
const MEASURE_TIMEOUT_MS = 100
const POLL_MS = 2

export class BME680Driver extends ChipDriver {
    private cal: Bme680Calibration

    constructor(address: number, options?: ChipDriverOptions) {
        super("bme680", address, options)
    }

    /**
     * The soft reset leaves config (0x75) at 0x00, filter off, and ctrl_gas_1
     * (0x71) at 0x00, run_gas off: the settings we want, so they are not written.
     */
    protected override async initDriver(): Promise<void> {
        const id = await this.readReg(REG_ID)
        if (id !== CHIP_ID_BME680) {
            const hint = id === CHIP_ID_BME280 ? " (a BME280: configure bme280)" : ""
            throw new SensorError(ERR_BAD_ID, this.where() + ": chip id " + hexByte(id) + " is not 0x61" + hint)
        }
        await this.writeReg(REG_RESET, RESET_WORD)
        await ds.sleep(RESET_MS)
        const cal = parseBme680Calibration(
            await this.readRegBuf(REG_COEFF1, COEFF1_LENGTH),
            await this.readRegBuf(REG_COEFF2, COEFF2_LENGTH),
        )
        if (cal.T1 === 0 || cal.P1 === 0) {
            throw new SensorError(ERR_BAD_ID, this.where() + ": calibration data reads as zeros")
        }
        this.cal = cal
    }

    protected override async readData(): Promise<Quantities> {
        // ctrl_hum only takes effect with the following write to ctrl_meas (as on the BME280).
        await this.writeReg(REG_CTRL_HUM, OSRS_X1)
        await this.writeReg(REG_CTRL_MEAS, CTRL_MEAS_FORCED_X1)
        await ds.sleep(MEASURE_MS)
        const deadline = ds.millis() + MEASURE_TIMEOUT_MS - MEASURE_MS
        while (!((await this.readReg(REG_MEAS_STATUS)) & NEW_DATA)) {
            if (ds.millis() >= deadline) throw new SensorError(ERR_TIMEOUT, this.where() + ": no new data in time")
            await ds.sleep(POLL_MS)
        }
        const r = compensateBme680(this.cal, unpackRaw(await this.readRegBuf(REG_DATA, 8), true))
        const out: Quantities = {}
        out[Q_TEMPERATURE] = r.temperature
        out[Q_HUMIDITY] = r.humidity
        out[Q_PRESSURE] = r.pressure / 100 // Pa -> hPa
        return out
    }

    override describe(): string {
        return "BME680 (id 0x61): no gas reading"
    }
}
