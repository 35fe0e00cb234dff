import { describe, expect, test } from "@devicescript/test"
import { BH1750Driver, bh1750Lux } from "../../firmware/sensors/bh1750"
import { ERR_NACK, ERR_NOT_FOUND } from "../../firmware/sensors/sensor-error"
import { BH1750_VECTORS } from "../vectors/sensor-vectors"
import { FakeI2C } from "./fakes/fake-bus"
import { FakeBH1750 } from "./fakes/fake-bh1750"
import { codeOf, expectValue, round2 } from "./util"

export function bh1750Suites() {
    describe("BH1750 driver on a fake chip", () => {
        test("counts / 1.2 = lx, the datasheet's example included", () => {
            for (const v of BH1750_VECTORS)
                expect(v.what + " " + round2(bh1750Lux(v.ticks))).toBe(v.what + " " + v.value)
        })

        test("powers on, runs one H-resolution conversion, waits for it and reads it", async () => {
            const bus = new FakeI2C()
            const chip = new FakeBH1750(0x5c)
            bus.attach(chip)
            const d = new BH1750Driver(0x5c, { client: bus })
            await d.init()
            chip.counts = BH1750_VECTORS[0].ticks
            expectValue(await d.measure(), "illuminance", BH1750_VECTORS[0].value)
            expect(chip.poweredOn).toBe(false) // one-time mode powered it down again
            chip.counts = BH1750_VECTORS[2].ticks
            expectValue(await d.measure(), "illuminance", BH1750_VECTORS[2].value)
            expect(chip.conversions).toBe(2)
        })

        test("nothing at the address is not_found; an unplugged chip is a nack", async () => {
            const bus = new FakeI2C()
            const chip = new FakeBH1750(0x23)
            bus.attach(chip)
            expect(await codeOf(async () => await new BH1750Driver(0x5c, { client: bus }).init())).toBe(ERR_NOT_FOUND)
            const d = new BH1750Driver(0x23, { client: bus })
            await d.init()
            chip.present = false
            expect(await codeOf(async () => await d.measure())).toBe(ERR_NACK)
        })
    })
}
