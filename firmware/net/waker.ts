/**
 * A wake-up point for fibers (the session's Signal on DeviceScript): `wait(ms)` suspends the calling
 * fiber until `notify()` or the timeout; any number of fibers may wait on one Waker.
 *
 * Why not `ds.wait` on a `ds.emitter`: each fiber asleep there holds a subscription, i.e. the wait and
 * subscribe activations and three closures, on the heap for as long as it sleeps, and builds them anew
 * at every wait. Here a sleeping fiber costs one array slot: it is the fiber itself that is resumed
 * (`Fiber.resume`, the primitive `ds.wait` is built on). Measured in docs/benchmark.md
 * ("Found and mended").
 */
import * as ds from "@devicescript/core"
import type { Signal } from "../mqtt/transport"

export class Waker implements Signal {
    private readonly sleepers: ds.Fiber[] = []

    /**
     * Up to `timeoutMs`; none: until notified; zero or less: until the next scheduler turn (the
     * runtime's devs_compute_timeout; test/device/waker.ts checks all three on the VM).
     */
    async wait(timeoutMs?: number): Promise<void> {
        const me = ds.Fiber.self()
        const s = this.sleepers
        s.push(me)
        await ds.suspend(timeoutMs)
        // Timed out: still listed (notify() takes the fibers it resumes off the list).
        const i = s.indexOf(me)
        if (i >= 0) s.insert(i, -1)
    }

    /** Resumes every fiber waiting now, in the order they began to wait. */
    notify(): void {
        const s = this.sleepers
        while (s.length > 0) {
            const f = s.shift()
            if (f.suspended) f.resume(undefined)
        }
    }
}
