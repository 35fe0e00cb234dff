/**
 * On-VM tests of the sensor drivers against register-level fake chips
 * (test/device-sensors/fakes), plus the portable sensor code on the VM.
 * Run with: devs run test/device-sensors/main.ts --test --test-self-exit
 * (without --test-self-exit no test runs and the command still exits 0).
 */
import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { aht20Suites } from "./aht20"
import { bh1750Suites } from "./bh1750"
import { bme280Suites } from "./bme280"
import { bme680Suites } from "./bme680"
import { i2cSensorSuites } from "./i2c-sensor"
import { ltr390Suites } from "./ltr390"
import { registrySuites } from "./registry"
import { scd4xSuites } from "./scd4x"
import { sht3xSuites } from "./sht3x"
import { sht4xSuites } from "./sht4x"
import { shtc3Suites } from "./shtc3"
import { specSuites } from "./spec"

specSuites()
bme280Suites()
bme680Suites()
sht4xSuites()
bh1750Suites()
scd4xSuites()
sht3xSuites()
shtc3Suites()
aht20Suites()
ltr390Suites()
i2cSensorSuites()
registrySuites()

describe("summary", () => {
    test("reports the run time", () => {
        // `devs run --test` stops a run after 5 s unless --test-timeout says otherwise, and the
        // chips' datasheet waits (SCD4x: 500 ms per start) add up: keep an eye on this number.
        console.log("sensor tests ran for " + ds.millis() + " ms of VM time")
        expect(ds.millis() > 0).toBe(true)
    })
})
