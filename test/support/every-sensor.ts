/**
 * A SENSORS value with every chip the firmware knows, each at an address of its own (bme680 is
 * left out: it shares 0x76/0x77 with bme280/bmp280, and one bus has only those two). One home for the
 * tests that need the largest configuration; test/telemetry/ha-keys.test.ts checks it covers
 * every chip of sensor-spec.ts's CHIPS.
 */
export const EVERY_SENSOR =
    "jacdac,jacdac_light,bme280@0x76,bmp280@0x77,sht4x@0x46,sht30@0x44,sht30@0x45,bh1750@0x23,bh1750@0x5c,scd4x,shtc3,aht20,ltr390"
