import { describe, expect, test } from "vitest"
import { parseAddress, parseSensorSpec, planSensors } from "../../firmware/sensors/sensor-spec.ts"

const chips = (s: string) => parseSensorSpec(s).chips.map(c => `${c.chip}@${c.address.toString(16)}`)

describe("parseSensorSpec: the SENSORS setting", () => {
    test.each([
        ["", ["jacdac@0"]],
        ["   ", ["jacdac@0"]],
        [" , ,", ["jacdac@0"]],
        ["jacdac", ["jacdac@0"]],
        ["bme280", ["bme280@76"]],
        ["bme280@0x77", ["bme280@77"]],
        ["BME280@0X77", ["bme280@77"]],
        ["bmp280@119", ["bmp280@77"]],
        ["bme280@0x76,sht4x", ["bme280@76", "sht4x@44"]],
        [" bme280 @ 0x76 , sht4x ", ["bme280@76", "sht4x@44"]],
        ["sht40,sht41@0x45", ["sht4x@44", "sht4x@45"]],
        ["sht45@0x46", ["sht4x@46"]],
        ["bh1750,bh1750@0x5c", ["bh1750@23", "bh1750@5c"]],
        ["scd40", ["scd4x@62"]],
        ["scd41", ["scd4x@62"]],
        ["sht3x@0x45", ["sht30@45"]],
        ["sht31", ["sht30@44"]],
        ["shtc3,aht20,ltr390", ["shtc3@70", "aht20@38", "ltr390@53"]],
        ["bme680@0x77", ["bme680@77"]],
        ["jacdac,bh1750", ["jacdac@0", "bh1750@23"]],
        ["bme280,", ["bme280@76"]],
    ])("%j -> %j", (s, expected) => {
        const spec = parseSensorSpec(s)
        expect(spec.errors).toEqual([])
        expect(chips(s)).toEqual(expected)
    })

    test.each([
        [
            "bme281",
            "unknown chip 'bme281' (known: jacdac, jacdac_light, bme280, bmp280, sht4x, bh1750, scd4x, sht30, shtc3, aht20, ltr390, bme680)",
        ],
        [
            "@0x76",
            "unknown chip '' (known: jacdac, jacdac_light, bme280, bmp280, sht4x, bh1750, scd4x, sht30, shtc3, aht20, ltr390, bme680)",
        ],
        ["sht4x@0x50", "'sht4x@0x50': sht4x answers only at 0x44, 0x45, 0x46"],
        ["scd4x@0x63", "'scd4x@0x63': scd4x answers only at 0x62"],
        ["bme280@", "'bme280@': '' is not an I2C address (write 0x44 or 68)"],
        ["bme280@0x", "'bme280@0x': '0x' is not an I2C address (write 0x44 or 68)"],
        ["bme280@0x7g", "'bme280@0x7g': '0x7g' is not an I2C address (write 0x44 or 68)"],
        ["bme280@seventy", "'bme280@seventy': 'seventy' is not an I2C address (write 0x44 or 68)"],
        ["bme280@0x0076", "'bme280@0x0076': '0x0076' is not an I2C address (write 0x44 or 68)"],
        ["jacdac@0x10", "'jacdac@0x10': jacdac takes no address"],
        ["bme280,bme280@0x76", "bme280@0x76 is listed twice"],
        ["jacdac,jacdac", "jacdac is listed twice"],
        ["sht30,sht4x", "sht4x@0x44: address already used by sht30"],
        ["bme280,bme680", "bme680@0x76: address already used by bme280"],
    ])("%j is rejected: %s", (s, message) => {
        const spec = parseSensorSpec(s)
        expect(spec.errors).toEqual([message])
        expect(spec.rejected).toEqual([s.split(",").pop()!.trim()])
    })

    test("a bad entry is skipped; the others still count", () => {
        const spec = parseSensorSpec("bme280@0x76,foo,sht4x@0x99,bh1750")
        expect(spec.chips.map(c => c.chip)).toEqual(["bme280", "bh1750"])
        expect(spec.rejected).toEqual(["foo", "sht4x@0x99"])
        expect(spec.errors).toHaveLength(2)
    })

    test("only bad entries: no sensors, not the jacdac default", () => {
        const spec = parseSensorSpec("foo")
        expect(spec.chips).toEqual([])
        expect(spec.rejected).toEqual(["foo"])
    })

    test("never throws on odd input", () => {
        for (const s of [undefined, null, 42, "@", "@@", ",@,", "\u0000", "é@0x76"]) {
            expect(() => parseSensorSpec(s as unknown as string)).not.toThrow()
        }
    })

    test("parseAddress: hex or decimal, at most 3 digits", () => {
        expect(parseAddress("0x76")).toBe(0x76)
        expect(parseAddress("0X5C")).toBe(0x5c)
        expect(parseAddress("35")).toBe(35)
        expect(parseAddress("-1")).toBe(-1)
        expect(parseAddress("0x")).toBe(-1)
        expect(parseAddress("1000")).toBe(-1)
    })
})

describe("planSensors: sensor names and telemetry keys", () => {
    const plan = (s: string) => planSensors(parseSensorSpec(s).chips)

    test("the default keeps the simulator's names: temperature, humidity, pressure", () => {
        const [p] = plan("")
        expect(p.name).toBe("jacdac")
        expect(p.keys).toEqual({ temperature: "temperature", humidity: "humidity", pressure: "pressure" })
    })

    test("the first sensor of a quantity publishes it plainly; later ones add their name", () => {
        const [bme, sht, scd] = plan("bme280,sht4x,scd4x")
        expect(bme.keys).toEqual({ temperature: "temperature", humidity: "humidity", pressure: "pressure" })
        expect(sht.keys).toEqual({ temperature: "temperature_sht4x", humidity: "humidity_sht4x" })
        expect(scd.keys).toEqual({ co2: "co2", temperature: "temperature_scd4x", humidity: "humidity_scd4x" })
    })

    test("a chip listed twice is named by its address", () => {
        const ps = plan("sht4x@0x44,sht4x@0x45,bh1750")
        expect(ps.map(p => p.name)).toEqual(["sht4x_44", "sht4x_45", "bh1750"])
        expect(ps[1].keys.temperature).toBe("temperature_sht4x_45")
        expect(ps[2].keys).toEqual({ illuminance: "illuminance" })
    })

    test("a BME280 and a BME680 on one bus (0x76 and 0x77): the BME680 adds its name", () => {
        const [bme280, bme680] = plan("bme280@0x76,bme680@0x77")
        expect(bme280.keys).toEqual({ temperature: "temperature", humidity: "humidity", pressure: "pressure" })
        expect(bme680.name).toBe("bme680")
        expect(bme680.keys).toEqual({
            temperature: "temperature_bme680",
            humidity: "humidity_bme680",
            pressure: "pressure_bme680",
        })
    })

    test("no two keys are ever the same", () => {
        const keys = plan("jacdac,bme280,bmp280@0x77,sht4x,sht30@0x45,scd4x,bh1750,ltr390").flatMap(p =>
            Object.values(p.keys),
        )
        expect(new Set(keys).size).toBe(keys.length)
    })
})
