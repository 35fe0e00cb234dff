/**
 * Publishes the Home Assistant discovery configs after every CONNACK, paced
 * (one message every DISCOVERY_PACE_MS, not one burst), and removes entities
 * of sensors that left the config: the HA_KEYS setting remembers the SENSORS
 * text that was announced (ha-keys.ts), written only when SENSORS changed and read from flash
 * once per boot.
 * Switched off by HA_DISCOVERY=false.
 */
import * as ds from "@devicescript/core"
import { DROP_QUEUE_FULL } from "../mqtt/outbox-codes"
import { Session } from "../mqtt/session"
import { ConnectWatch } from "../net/connect-watch"
import { DeviceInfo, discoveryMessageAt, removedKeys } from "./discovery"
import { HA_KEYS_SETTING, keysOfSpec, previousKeys } from "./ha-keys"
import { readStoredSetting, writeSettingIfChanged } from "../settings-store"
import { Topics } from "./topics"

/** Gap between two discovery messages. */
const DISCOVERY_PACE_MS = 50
/** A config the full queue refused is offered again this many times, each once the queue has drained. */
const DISCOVERY_TRIES = 3
/** Discovery waits while the outbox holds this many messages: it never crowds readings out of the queue. */
const DISCOVERY_MAX_QUEUED = 4

export class HaDiscovery {
    /** Set by a CONNACK or a refresh(): the configs are published again. */
    private readonly due: ConnectWatch
    private readonly keys: string[]
    /** HA_KEYS as stored: read from flash before the first publish only, then what was written. */
    private stored: any = undefined
    /** The first round of a boot also clears the configs of the layout before issue 29 (discoveryMessageAt). */
    private legacy = true

    constructor(
        private readonly session: Session,
        private readonly device: DeviceInfo,
        private readonly topics: Topics,
        /** The SENSORS text: the entity keys follow from it. */
        private readonly spec: string,
        public periodMs: number,
        /** DIAG_EVERY_MS: the diagnostic entities' expire_after follows from it. */
        private readonly diagPeriodMs: number,
    ) {
        this.keys = keysOfSpec(spec)
        this.due = new ConnectWatch(session)
    }

    /** Publish again (after a CONNACK; the period, and so expire_after, changed). */
    refresh() {
        this.due.set()
    }

    async run(): Promise<void> {
        for (;;) {
            if (this.session.isConnected() && this.due.take()) await this.publishAll()
            else await this.due.wait()
        }
    }

    private async publishAll() {
        if (this.stored === undefined) this.stored = await readStoredSetting(HA_KEYS_SETTING, null)
        const removed = removedKeys(this.keys, previousKeys(this.stored))
        let n = 0
        let tries = 0
        for (;;) {
            await this.session.waitForRoom(DISCOVERY_MAX_QUEUED)
            // Built one at a time (discoveryMessageAt): the whole set does not fit in the heap.
            const m = discoveryMessageAt(
                this.device,
                this.topics,
                this.keys,
                removed,
                this.periodMs,
                this.diagPeriodMs,
                this.legacy,
                n,
            )
            if (!m) break
            const t = this.session.publish(m.topic, Buffer.from(m.payload), {
                qos: 1,
                retain: true,
                ttlMs: 0,
                replace: true,
            })
            // A full queue refuses a replace message (readings are never pushed out for it): with many sensors
            // the queue is small and their readings large. Asked again once the queue has drained, a few times.
            if (this.session.dropReason(t) === DROP_QUEUE_FULL && tries++ < DISCOVERY_TRIES) {
                await this.session.waitForRoom(1)
                continue
            }
            tries = 0
            n++
            await ds.sleep(DISCOVERY_PACE_MS)
        }
        this.legacy = false
        if (this.stored !== this.spec) {
            await writeSettingIfChanged(HA_KEYS_SETTING, this.spec)
            this.stored = this.spec
        }
        console.log(`discovery: ${n} Home Assistant configs published`)
    }
}
