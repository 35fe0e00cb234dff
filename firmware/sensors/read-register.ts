/**
 * A bounded read of a Jacdac register: NaN when the role is not bound or the
 * server does not answer in time (a plain `read()` would wait forever).
 */
import * as ds from "@devicescript/core"
import { Waker } from "../net/waker"

export async function readRegister(role: ds.Role, reg: ds.Register<number>, timeoutMs: number): Promise<number> {
    if (!role.isBound) return NaN
    const done = new Waker()
    let value = NaN
    const reader = async () => {
        value = await reg.read()
        done.notify()
    }
    reader.start()
    await done.wait(timeoutMs)
    return value === undefined || value === null ? NaN : value
}
