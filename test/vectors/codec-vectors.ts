/**
 * Golden vectors for the portable MQTT codec, shared by the Node tests (vitest, test/mqtt) and the
 * on-VM tests (test/device/main.ts). Pure data plus a hex parser: imports nothing, so the DeviceScript
 * compiler and Node both load it.
 *
 * Bytes are written one field per line with a comment, the model being mqtt-packet's test tables.
 * Row ids (C01..C84) are the MQTT 3.1.1 client checklist's rows, listed in docs/conformance.md.
 *
 * Not here: strings with lone surrogates or U+FFFE/U+FFFF. Such literals do not even compile to
 * valid DeviceScript bytecode, so those vectors live in the Node-only tests (test/mqtt/*.test.ts).
 */

function nibble(c: number): number {
    if (c >= 0x30 && c <= 0x39) return c - 0x30
    if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10
    if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10
    return -1
}

/** ["10 0c", "00 04"] -> [0x10, 0x0c, 0x00, 0x04]; spaces and other non-hex characters are skipped. */
export function hexToBytes(parts: string[]): number[] {
    const out: number[] = []
    let hi = -1
    for (let p = 0; p < parts.length; p++) {
        const s = parts[p]
        for (let i = 0; i < s.length; i++) {
            const v = nibble(s.charCodeAt(i))
            if (v < 0) continue
            if (hi < 0) hi = v
            else {
                out.push(hi * 16 + v)
                hi = -1
            }
        }
    }
    return out
}

const HEX = "0123456789abcdef"

/** Lower-case hex without spaces, as Buffer.toString("hex") prints it. */
export function hexOf(parts: string[]): string {
    const b = hexToBytes(parts)
    let s = ""
    for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15]
    return s
}

/** s repeated n times, by doubling (n up to 65 536 in the C04 tests). */
export function repeatString(s: string, n: number): string {
    let out = ""
    let unit = s
    let k = n
    while (k > 0) {
        if ((k & 1) === 1) out += unit
        unit += unit
        k = k >> 1
    }
    return out
}

// ---------------------------------------------------------------------------------------------
// C07 remaining length

export interface RemainingLengthVector {
    value: number
    bytes: string[]
}

export const REMAINING_LENGTH_VECTORS: RemainingLengthVector[] = [
    { value: 0, bytes: ["00"] },
    { value: 127, bytes: ["7f"] },
    { value: 128, bytes: ["80 01"] },
    { value: 16383, bytes: ["ff 7f"] },
    { value: 16384, bytes: ["80 80 01"] },
    { value: 2097151, bytes: ["ff ff 7f"] },
    { value: 2097152, bytes: ["80 80 80 01"] },
    { value: 268435455, bytes: ["ff ff ff 7f"] },
]

// ---------------------------------------------------------------------------------------------
// Encoding: what the client sends

export interface WillVector {
    topic: string
    payload: string
    qos: number
    retain: boolean
}

/**
 * One call to an encoder. Payloads and passwords are UTF-8 text here and become Buffers in the
 * runner; `kind` names the encoder.
 */
export interface EncodeVector {
    name: string
    kind: string // connect publish puback pubrec pubrel pubcomp subscribe unsubscribe pingreq disconnect
    clientId?: string
    keepAliveS?: number
    clean?: boolean
    username?: string
    password?: string
    will?: WillVector
    topic?: string
    payload?: string
    qos?: number
    retain?: boolean
    dup?: boolean
    id?: number
    filters?: string[]
    qoss?: number[]
    /** Expected bytes; absent when the encoder must throw. */
    bytes?: string[]
}

const MQTT_NAME = "00 04 4d 51 54 54" // protocol name: length 4, "MQTT" (C19)

export const ENCODE_VECTORS: EncodeVector[] = [
    {
        name: "C19 C35 CONNECT clean session, keepalive 300 is 01 2c",
        kind: "connect",
        clientId: "dev1",
        keepAliveS: 300,
        clean: true,
        bytes: [
            "10", // CONNECT, flags 0000 (C05)
            "10", // remaining length 16
            MQTT_NAME,
            "04", // protocol level 4 = 3.1.1 (C19)
            "02", // connect flags: clean session; reserved bit 0 is 0 (C20)
            "01 2c", // keepalive 300 s, 16-bit big-endian (C35)
            "00 04 64 65 76 31", // client id "dev1" (C30)
        ],
    },
    {
        name: "C23 C29 CONNECT with will, user name and password in payload order",
        kind: "connect",
        clientId: "c1",
        keepAliveS: 60,
        clean: true,
        username: "u",
        password: "pw",
        will: { topic: "s/c1", payload: "offline", qos: 1, retain: true },
        bytes: [
            "10", // CONNECT
            "24", // remaining length 36
            MQTT_NAME,
            "04", // protocol level
            "ee", // flags: user 80 | password 40 | will retain 20 | will QoS 1 08 | will 04 | clean 02
            "00 3c", // keepalive 60 s
            "00 02 63 31", // client id "c1"
            "00 04 73 2f 63 31", // will topic "s/c1" (C33)
            "00 07 6f 66 66 6c 69 6e 65", // will message "offline" (C34)
            "00 01 75", // user name "u"
            "00 02 70 77", // password "pw"
        ],
    },
    {
        name: "C21 C26 CONNECT persistent session with user name only",
        kind: "connect",
        clientId: "dev1",
        keepAliveS: 0,
        clean: false,
        username: "user",
        bytes: [
            "10", // CONNECT
            "16", // remaining length 22
            MQTT_NAME,
            "04", // protocol level
            "80", // flags: user name only; clean session 0
            "00 00", // keepalive 0 = off
            "00 04 64 65 76 31", // client id "dev1"
            "00 04 75 73 65 72", // user name "user"
        ],
    },
    {
        name: "C32 CONNECT zero-byte client id with clean session, keepalive 65535",
        kind: "connect",
        clientId: "",
        keepAliveS: 65535,
        clean: true,
        bytes: [
            "10", // CONNECT
            "0c", // remaining length 12
            MQTT_NAME,
            "04", // protocol level
            "02", // flags: clean session
            "ff ff", // keepalive 65535 s
            "00 00", // client id "" (allowed with clean session, [MQTT-3.1.3-7])
        ],
    },
    {
        name: "C24 C25 CONNECT will QoS 2 without retain and with an empty will message",
        kind: "connect",
        clientId: "a",
        keepAliveS: 10,
        clean: true,
        will: { topic: "t", payload: "", qos: 2, retain: false },
        bytes: [
            "10", // CONNECT
            "12", // remaining length 18
            MQTT_NAME,
            "04", // protocol level
            "16", // flags: will QoS 2 10 | will 04 | clean 02
            "00 0a", // keepalive 10 s
            "00 01 61", // client id "a"
            "00 01 74", // will topic "t"
            "00 00", // will message: 0 bytes
        ],
    },
    {
        name: "C27 CONNECT empty user name and empty password are still present",
        kind: "connect",
        clientId: "a",
        keepAliveS: 1,
        clean: true,
        username: "",
        password: "",
        bytes: [
            "10", // CONNECT
            "11", // remaining length 17
            MQTT_NAME,
            "04", // protocol level
            "c2", // flags: user 80 | password 40 | clean 02
            "00 01", // keepalive 1 s
            "00 01 61", // client id "a"
            "00 00", // user name ""
            "00 00", // password: 0 bytes
        ],
    },
    {
        name: "C14 PUBLISH QoS 0 has no packet id",
        kind: "publish",
        topic: "a/b",
        payload: "hi",
        qos: 0,
        retain: false,
        dup: false,
        id: 0,
        bytes: [
            "30", // PUBLISH, dup 0, QoS 0, retain 0
            "07", // remaining length 7 = 2 + 3 + 2
            "00 03 61 2f 62", // topic "a/b" (C45)
            "68 69", // payload "hi"
        ],
    },
    {
        name: "C42 PUBLISH QoS 0 never carries DUP even when asked",
        kind: "publish",
        topic: "a/b",
        payload: "hi",
        qos: 0,
        retain: false,
        dup: true,
        id: 0,
        bytes: [
            "30", // PUBLISH, dup forced to 0 [MQTT-3.3.1-2]
            "07", // remaining length 7
            "00 03 61 2f 62", // topic "a/b"
            "68 69", // payload "hi"
        ],
    },
    {
        name: "C50 PUBLISH QoS 1 id 1",
        kind: "publish",
        topic: "t",
        payload: "x",
        qos: 1,
        retain: false,
        dup: false,
        id: 1,
        bytes: [
            "32", // PUBLISH, QoS 1
            "06", // remaining length 6
            "00 01 74", // topic "t"
            "00 01", // packet id 1 (C11)
            "78", // payload "x"
        ],
    },
    {
        name: "C41 PUBLISH QoS 1 re-delivery has DUP, retain kept, id 0x3421",
        kind: "publish",
        topic: "t",
        payload: "x",
        qos: 1,
        retain: true,
        dup: true,
        id: 0x3421,
        bytes: [
            "3b", // PUBLISH, dup 08 | QoS 1 02 | retain 01
            "06", // remaining length 6
            "00 01 74", // topic "t"
            "34 21", // packet id 0x3421, big-endian
            "78", // payload "x"
        ],
    },
    {
        name: "C52 PUBLISH QoS 2 id 65535 with an empty payload",
        kind: "publish",
        topic: "t",
        payload: "",
        qos: 2,
        retain: false,
        dup: false,
        id: 65535,
        bytes: [
            "34", // PUBLISH, QoS 2
            "05", // remaining length 5
            "00 01 74", // topic "t"
            "ff ff", // packet id 65535
        ],
    },
    {
        name: "C03 PUBLISH topic keeps a leading U+FEFF",
        kind: "publish",
        topic: "\uFEFFa/b",
        payload: "",
        qos: 0,
        retain: false,
        dup: false,
        id: 0,
        bytes: [
            "30", // PUBLISH QoS 0
            "08", // remaining length 8
            "00 06", // topic length 6
            "ef bb bf 61 2f 62", // U+FEFF "a/b"
        ],
    },
    {
        name: "C01 PUBLISH topic with 2-, 3- and 4-byte UTF-8 characters",
        kind: "publish",
        topic: "\u00e9/\u20ac/\uD83D\uDE00",
        payload: "",
        qos: 0,
        retain: false,
        dup: false,
        id: 0,
        bytes: [
            "30", // PUBLISH QoS 0
            "0d", // remaining length 13
            "00 0b", // topic length 11
            "c3 a9", // U+00E9
            "2f", // "/"
            "e2 82 ac", // U+20AC
            "2f", // "/"
            "f0 9f 98 80", // U+1F600 (a surrogate pair in Node, one code point on the VM)
        ],
    },
    {
        name: "C15 PUBACK 40 02 34 21",
        kind: "puback",
        id: 0x3421,
        bytes: ["40", "02", "34 21"],
    },
    {
        name: "C55 PUBREC 50 02 00 01",
        kind: "pubrec",
        id: 1,
        bytes: ["50", "02", "00 01"],
    },
    {
        name: "C05 C52 PUBREL first byte is 62",
        kind: "pubrel",
        id: 2,
        bytes: ["62", "02", "00 02"],
    },
    {
        name: "C55 PUBCOMP 70 02 ff ff",
        kind: "pubcomp",
        id: 65535,
        bytes: ["70", "02", "ff ff"],
    },
    {
        name: "C65 C68 SUBSCRIBE two filters with their QoS",
        kind: "subscribe",
        id: 10,
        filters: ["a/+", "#"],
        qoss: [1, 0],
        bytes: [
            "82", // SUBSCRIBE, flags 0010 (C05, C65)
            "0c", // remaining length 12
            "00 0a", // packet id 10
            "00 03 61 2f 2b", // filter "a/+"
            "01", // requested QoS 1
            "00 01 23", // filter "#"
            "00", // requested QoS 0
        ],
    },
    {
        name: "C69 SUBSCRIBE one multi-level filter at QoS 2",
        kind: "subscribe",
        id: 1,
        filters: ["cmd/dev1/#"],
        qoss: [2],
        bytes: [
            "82", // SUBSCRIBE
            "0f", // remaining length 15
            "00 01", // packet id 1
            "00 0a 63 6d 64 2f 64 65 76 31 2f 23", // filter "cmd/dev1/#"
            "02", // requested QoS 2
        ],
    },
    {
        name: "C73 UNSUBSCRIBE two filters",
        kind: "unsubscribe",
        id: 11,
        filters: ["a/+", "#"],
        bytes: [
            "a2", // UNSUBSCRIBE, flags 0010 (C05, C73)
            "0a", // remaining length 10
            "00 0b", // packet id 11
            "00 03 61 2f 2b", // filter "a/+"
            "00 01 23", // filter "#"
        ],
    },
    { name: "C35 PINGREQ c0 00", kind: "pingreq", bytes: ["c0", "00"] },
    { name: "C77 DISCONNECT e0 00", kind: "disconnect", bytes: ["e0", "00"] },
]
