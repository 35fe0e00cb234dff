/**
 * A bounded read of a Jacdac register: NaN when the role is not bound or the
 * server does not answer in time (a plain `read()` would wait forever).
 */
import * as ds from "@devicescript/core"

export async function readRegister(role: ds.Role, reg: ds.Register<number>, timeoutMs: number): Promise<number> {
    if (!role.isBound) return NaN
    const done = ds.emitter<number>()
    let value = NaN
    const reader = async () => {
        value = await reg.read()
        done.emit(1)
    }
    reader.start()
    await ds.wait(done, timeoutMs)
    return value === undefined || value === null ? NaN : value
}
