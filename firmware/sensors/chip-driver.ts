/**
 * Base of our I2C chip drivers, on @devicescript/drivers' I2CDriver (which
 * takes the I2C client in its options, so tests hand it a fake bus).
 *
 * Drivers fail fast: every problem leaves as a SensorError with a code
 * ("nack", "crc", "timeout", "not_found", "bad_id"; "exception" for a bug in
 * our code). They never retry and never log; the I2CSensor adapter is the one
 * place that turns errors into a status and recovers.
 */
import { I2CDriver } from "@devicescript/drivers"
import { i2c, I2C, I2CError } from "@devicescript/i2c"
import { errorMessage } from "../mqtt/errors"
import { ERR_EXCEPTION, ERR_NACK, ERR_NOT_FOUND, hexByte, SensorError } from "./sensor-error"

/** Quantity name -> value in the unit of the telemetry contract. */
export type Quantities = Record<string, number>

export interface ChipDriverOptions {
    /** The I2C client; default the board's bus. Tests pass a fake. */
    client?: I2C
}

/** ds.I2CStatus.NoI2C */
const I2C_STATUS_NO_BUS = 3

/**
 * Makes every failure of the bus an I2CError. The board's bus throws plain
 * errors too (the simulator's: "I2C not supported (yet)"); without this a
 * missing bus would look like a bug in a driver, and a bug like a missing chip.
 */
class BusGuard extends I2C {
    constructor(private readonly inner: I2C) {
        super()
    }

    override async xfer(devAddr: number, writeBuf: Buffer, numRead?: number): Promise<Buffer> {
        try {
            return await this.inner.xfer(devAddr, writeBuf, numRead)
        } catch (e) {
            if (e instanceof I2CError) throw e
            throw new I2CError(errorMessage(e), I2C_STATUS_NO_BUS)
        }
    }
}

export abstract class ChipDriver extends I2CDriver {
    constructor(
        /** Chip name for messages ("bme280"). */
        readonly chip: string,
        devAddr: number,
        options?: ChipDriverOptions,
    ) {
        super(devAddr, { client: new BusGuard(options && options.client ? options.client : i2c) })
    }

    /**
     * Probes, checks the identity and configures the chip. Unlike
     * I2CDriver.init this also runs in the simulator: there the client may be
     * a fake bus, and the native bus simply answers nothing (not_found).
     * @throws SensorError; a NACK here becomes "not_found"
     */
    override async init(): Promise<void> {
        try {
            await this.initDriver()
        } catch (e) {
            const err = toSensorError(e, this.where())
            if (err.code === ERR_NACK) throw new SensorError(ERR_NOT_FOUND, err.message)
            throw err
        }
    }

    /**
     * One fresh reading of every quantity the chip has.
     * @throws SensorError
     */
    async measure(): Promise<Quantities> {
        try {
            return await this.readData()
        } catch (e) {
            throw toSensorError(e, this.where())
        }
    }

    protected abstract readData(): Promise<Quantities>

    /** What init found (variant, serial number), for the boot log; "" if nothing to add. */
    describe(): string {
        return ""
    }

    /** "bme280@0x76", for messages. */
    where(): string {
        return this.chip + "@" + hexByte(this.devAddr)
    }
}

/**
 * I2CError (the bus reported a NACK) -> "nack"; a SensorError passes through;
 * anything else is a bug, reported as "exception" rather than blamed on the chip.
 */
export function toSensorError(e: unknown, where: string): SensorError {
    if (e instanceof SensorError) return e as SensorError
    if (e instanceof I2CError) return new SensorError(ERR_NACK, where + ": no answer (" + errorMessage(e) + ")")
    return new SensorError(ERR_EXCEPTION, where + ": " + errorMessage(e))
}
