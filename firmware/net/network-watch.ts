/**
 * Reboots the board when it has had no network for too long. The Pico W runtime tries one Wi-Fi
 * re-join and never another (pico:src/wifi_impl.c:145-157), so after a long access-point outage
 * only a reset brings the network back; the RAM queue is lost with it (docs/what-survives.md).
 * Off on ESP32, whose runtime re-joins by itself (platform.ts noNetworkRebootS).
 */
import * as ds from "@devicescript/core"
import { SocketTransport } from "./socket-transport"

const CHECK_EVERY_MS = 5000

export function watchNetwork(transport: SocketTransport, limitMs: number) {
    const watch = async () => {
        for (;;) {
            await ds.sleep(CHECK_EVERY_MS)
            const since = transport.noNetworkSinceMs
            if (since > 0 && ds.millis() - since > limitMs) {
                console.warn(
                    `net: no network for ${Math.round((ds.millis() - since) / 1000)} s and this runtime does not re-join Wi-Fi by itself: rebooting`,
                )
                ds.reboot()
            }
        }
    }
    watch.start()
}
