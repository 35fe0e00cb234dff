/**
 * The board's Wi-Fi link as the runtime sees it: `jd_tcpsock_is_available()` is "Wi-Fi has an IP"
 * (ds:runtime/devicescript/network/wifi.c:318-320), and `_socketOpen` throws
 * `RangeError("network not available")` while it is false (ds:runtime/devicescript/impl_socket.c:69-72).
 *
 * The access point can go away and come back (`--scenario wifi-down@A-B`). No runtime closes the
 * open socket when the link drops (wifi.c:129-145); board-socket.ts makes it go silent instead.
 * A Pico W re-joins only after a drop from LINK_UP, and a join that fails is never retried
 * (pico:src/wifi_impl.c:145-157, wifi.c:74-76, 113-114) [inferred]: an outage longer than one join
 * attempt (`giveUpMs`) leaves it offline until it resets.
 */
import { EventEmitter } from "node:events"

export class WifiLink extends EventEmitter {
    private apUp = true
    private stranded = false
    private downAtMs = 0

    constructor(
        private readonly giveUpMs: number,
        private readonly log: (line: string) => void = () => {},
        private readonly now: () => number = Date.now,
    ) {
        super()
    }

    /** The board has an IP: sockets can open and traffic flows. */
    get linked(): boolean {
        return this.apUp && !this.stranded
    }

    /** The access point went away (false) or came back (true). Emits "change" with `linked`. */
    setAccessPoint(up: boolean): void {
        if (up === this.apUp) return
        this.apUp = up
        if (!up) {
            this.downAtMs = this.now()
            this.log("sim: wifi: the access point is gone (sockets go silent, opens throw)")
            this.emit("change", false)
            return
        }
        const awayMs = this.now() - this.downAtMs
        if (this.giveUpMs && awayMs > this.giveUpMs) {
            this.stranded = true
            this.log(
                `sim: wifi: the access point is back after ${awayMs} ms, but the board's re-join failed after ` +
                    `${this.giveUpMs} ms and the runtime never retries (pico:src/wifi_impl.c:145-157): offline until reset`,
            )
            return
        }
        this.log("sim: wifi: the access point is back, link up")
        this.emit("change", true)
    }

    /** The board reset: it joins from scratch. */
    reset(): void {
        if (!this.stranded) return
        this.stranded = false
        if (this.apUp) {
            this.log("sim: wifi: joined again after the reset")
            this.emit("change", true)
        }
    }
}
