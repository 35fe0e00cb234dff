/**
 * Board profiles: what a DeviceScript runtime on each supported board does
 * differently from the WASM VM the simulator runs, as data. Every value cites
 * its source (tags as in ../shared/hardware-fidelity.md: `esp` =
 * devicescript-esp32 v2.16.1, `pico` = devicescript-pico v2.16.1, `ds` =
 * devicescript v2.16.4, `jdc` = jacdac-c); board-socket.ts, send-window.ts,
 * flash-store.ts and ../device/vm-device.ts apply it to a VM without touching the bytecode.
 *
 * The default (`sim`) is the simulator as it always was: Node sockets with no
 * limits, a 128 KiB store, `standby` halts the VM. Its store is kept across the
 * restarts the `reboot@T` and `powercut@T` scenarios cause (issue 14), as on a board. It stays
 * the default so the existing tests and benchmarks keep measuring the same
 * thing; choose a board with `--board` or `BOARD`.
 */

export const BOARD_IDS = ["sim", "esp32", "esp32c3", "esp32s3", "picow"] as const
export type BoardId = (typeof BOARD_IDS)[number]

/** Pico W lwIP send buffer (see send-window.ts). */
export interface SendWindowModel {
    /** One MSS-sized RAM pbuf per segment: LWIP_NETIF_TX_SINGLE_PBUF (pico:src/lwipopts.h:43), lwIP tcp_out.c tcp_pbuf_prealloc. */
    mssBytes: number
    /** Segment pbufs that fit in MEM_SIZE 4,000 B (pico:src/lwipopts.h:8-15): 2 × ~1.5 KB. */
    segments: number
    /** A segment sent this long ago counts as acknowledged even if the peer sent no data (delayed ACK). */
    ackAfterMs: number
}

export interface BoardProfile {
    id: BoardId
    /** How log lines name the board. */
    label: string
    /**
     * The runtime's `archId` on this board, deployed as the SIM_ARCH setting so the firmware takes
     * the board's branches (firmware/platform.ts boardArch); "wasm" is the simulator's own.
     */
    archId: string
    /** The fstor partition: program + settings (ds:runtime/posix/flash.c:48 reads Module.flashSize). */
    flashBytes: number
    /** Keep the flash image across a reset of this device's VM. */
    persistFlash: boolean
    /** Largest `data` event the runtime delivers. */
    rxChunkBytes: number
    /**
     * Most bytes delivered between two runs of the VM's loop: what the board's TCP stack holds
     * before the program reads (its receive window). The rest waits in Node, unread, so the broker
     * sees TCP backpressure as it would from the board; each `data` event is a GC buffer and a fiber
     * in the program's 64 KB heap before any bytecode runs (ds:runtime/devicescript/impl_socket.c).
     */
    rxWindowBytes: number
    /** "node": Node's CA store + NODE_EXTRA_CA_CERTS; "public-roots": built-in public roots only; "none": no TLS at all. */
    tls: "node" | "public-roots" | "none"
    /** A single TLS write of this many bytes or more reboots the chip; 0: no limit. */
    tlsWriteRebootBytes: number
    /** Writes queued for the socket task; one more returns -1. 0: no queue. */
    writeQueueMax: number
    sendWindow: SendWindowModel | null
    /** `open` on a TLS socket fires after the TCP connect ("connect") or only after the handshake. */
    tlsOpenAfter: "connect" | "handshake"
    /** Error text before `close` when the peer closes cleanly; "" = a bare `close`. */
    peerCloseError: string
    /** Error text when the connection is reset or fails. */
    resetError: string
    /** Error text when the TCP connect fails; whether a `close` follows it. */
    connectError: string
    connectErrorCloses: boolean
    /** What `standby(ms)` and `reboot()` do: halt the VM for good, sleep then reset, or reset at once. */
    standby: "halt" | "sleep-then-reset" | "reset"
    /** A Wi-Fi outage longer than this leaves the board offline until it resets (the runtime never re-joins); 0: always re-joins. */
    rejoinGiveUpMs: number
}

const KIB = 1024

const SIM: BoardProfile = {
    id: "sim",
    label: "simulator",
    archId: "wasm",
    flashBytes: 128 * KIB, // em_flash_size() default in the CLI bundle
    persistFlash: true, // only a reboot/powercut scenario restarts its VM: what the firmware wrote is there at the next boot

    // Not Node's reads as they come (up to 64 KiB in one event, which the runtime cannot allocate:
    // ../shared/hardware-fidelity.md §3.2): the simulator takes no more in at once than an ESP32 does.
    rxChunkBytes: 1024,
    rxWindowBytes: 5744,
    tls: "node",
    tlsWriteRebootBytes: 0,
    writeQueueMax: 0,
    sendWindow: null,
    tlsOpenAfter: "connect", // ds:runtime/devicescript-vm/wasmpre.ts:446-448
    peerCloseError: "",
    resetError: "", // Node's own message, as the CLI glue reports it
    connectError: "",
    connectErrorCloses: false,
    standby: "halt", // ds:runtime/posix/jd_impl_em.c:159-162 exit(0)
    rejoinGiveUpMs: 0,
}

const ESP32: BoardProfile = {
    id: "esp32",
    label: "ESP32",
    archId: "esp32", // as in boards/mqtt_esp32_devkit_c.board.json
    flashBytes: 256 * KIB, // fstor partition, esp:boards/partitions.csv:1-6
    persistFlash: true,
    rxChunkBytes: 1024, // static uint8_t sockbuf[1024], esp:main/sock.c:31, read at :369, :387
    rxWindowBytes: 5744, // read until EAGAIN each loop pass (sock.c:386-403): the lwIP socket holds TCP_WND, ESP-IDF default 5,744 [inferred]
    tls: "public-roots", // esp_crt_bundle_attach, esp:main/sock.c:186; 121 roots, esp:scripts/certs.md:3-5
    tlsWriteRebootBytes: 4096, // JD_ASSERT(datalen < MBEDTLS_SSL_OUT_CONTENT_LEN), esp:main/sock.c:244
    writeQueueMax: 50, // xQueueCreate(50, ...), esp:main/sock.c:350; full → -1 at :318-323
    sendWindow: null, // plain TCP writes block in the socket task (esp:main/sock.c:230-241)
    tlsOpenAfter: "handshake", // process_open pushes OPEN after sock_create_and_connect, esp:main/sock.c:202-227
    peerCloseError: "", // recv() == 0 → raise_error(NULL): close only, esp:main/sock.c:388-391
    resetError: "recv error", // esp:main/sock.c:397-401
    connectError: "can't connect", // push_error without close (sock_fd not set yet), esp:main/sock.c:147-150
    connectErrorCloses: false,
    standby: "sleep-then-reset", // esp_deep_sleep_start, esp:main/platform.c:61-64
    rejoinGiveUpMs: 0, // reconnects on every disconnect, esp:main/wifi_impl.c:102-105
}

const PICOW: BoardProfile = {
    id: "picow",
    label: "Pico W",
    archId: "rp2040w", // as in boards/mqtt_pico_w.board.json
    flashBytes: 128 * KIB, // pico:src/jd_user_config.h:22-42
    persistFlash: true,
    rxChunkBytes: 1460, // one event per pbuf (≤ 1 MSS), pico:src/lwip_sock.c:91-113
    rxWindowBytes: 11680, // TCP_WND (pico:src/lwipopts.h:23-24); tcp_recved at once, so one lwIP poll can bring a whole window [inferred]
    tls: "none", // a negative port → -100, no event: pico:src/lwip_sock.c:141-142
    tlsWriteRebootBytes: 0,
    writeQueueMax: 0,
    sendWindow: { mssBytes: 1460, segments: 2, ackAfterMs: 200 },
    tlsOpenAfter: "connect",
    peerCloseError: "recv without buf?", // pico:src/lwip_sock.c:94-97
    resetError: "sock error: -14", // ERR_RST via tcp_client_err, pico:src/lwip_sock.c:84-89
    connectError: "sock error: -14", // a refused SYN is an ERR_RST too
    connectErrorCloses: true,
    standby: "reset", // no target_standby → target_reset → NVIC_SystemReset, pico:src/platform.c:113-115
    rejoinGiveUpMs: 10_000, // only a drop from LINK_UP re-joins, pico:src/wifi_impl.c:145-157 [inferred]
}

export const BOARD_PROFILES: Record<BoardId, BoardProfile> = {
    sim: SIM,
    esp32: ESP32,
    // Same firmware source and partition table (esp:boards/esp32c3|esp32s3/arch.json:5-10).
    esp32c3: { ...ESP32, id: "esp32c3", label: "ESP32-C3", archId: "esp32c3" },
    esp32s3: { ...ESP32, id: "esp32s3", label: "ESP32-S3", archId: "esp32s3" },
    picow: PICOW,
}

/** `--board` value or `BOARD` from the environment; "" → the plain simulator. */
export function boardProfile(name: string | undefined): BoardProfile {
    const id = (name ?? "").trim().toLowerCase() || "sim"
    if (!(BOARD_IDS as readonly string[]).includes(id))
        throw new Error(`unknown board '${name}': use one of ${BOARD_IDS.join(", ")}`)
    return BOARD_PROFILES[id as BoardId]
}

/**
 * The broker host a device on this board is given. A Pico W cannot keep a connection to an IP
 * address, and the firmware refuses one there at boot (firmware/platform.ts brokerHostError), so
 * under that profile the loopback address goes by its name.
 */
export function deviceBrokerHost(profile: BoardProfile, host: string): string {
    return profile.archId.startsWith("rp2040") && host === "127.0.0.1" ? "localhost" : host
}
