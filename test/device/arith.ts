import { describe, test } from "@devicescript/test"
import { arithChecks } from "../vectors/arith-vectors"
import { check } from "./util"

export function arithSuites() {
    describe("remainders and time stamps on the VM (% is int32 there)", () => {
        test("mod, send times and ttl past 2^32 ms, ticket outcomes, the MQTT_HOSTS shuffle", () => {
            const cs = arithChecks()
            for (let i = 0; i < cs.length; i++)
                check(`${cs[i].name}: ${cs[i].actual}`, `${cs[i].name}: ${cs[i].expected}`)
        })
    })
}
