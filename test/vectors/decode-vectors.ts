/**
 * Golden vectors for what a client receives: whole packets as they arrive on the socket (header
 * included), run through Framer + decodePacket by both the Node and the on-VM tests.
 * Pure data: imports nothing. Row ids refer to the checklist; "malformed #n" to its
 * "Malformed input" list.
 *
 * `expect` is either a DecodeError / framer error string, or a one-line summary of the decoded
 * packet (see summarize() in test/vectors/run-vectors.ts):
 *   CONNACK sp=<0|1> rc=<n> | PUBLISH topic=<t> qos=<n> id=<n> dup=<0|1> retain=<0|1> payload=<hex>
 *   <ACK> id=<n> | SUBACK id=<n> rcs=<a,b> | PINGRESP
 */

export interface StreamVector {
    name: string
    bytes: string[]
    expect: string
}

export const DECODE_VECTORS: StreamVector[] = [
    {
        name: "C37 CONNACK accepted",
        bytes: ["20", "02", "00", "00"],
        expect: "CONNACK sp=0 rc=0",
    },
    {
        name: "C39 CONNACK session present",
        bytes: ["20", "02", "01", "00"],
        expect: "CONNACK sp=1 rc=0",
    },
    {
        name: "C38 CONNACK rc 4 bad user name or password",
        bytes: ["20", "02", "00", "04"],
        expect: "CONNACK sp=0 rc=4",
    },
    {
        name: "C38 CONNACK rc 5 not authorized",
        bytes: ["20", "02", "00", "05"],
        expect: "CONNACK sp=0 rc=5",
    },
    {
        name: "C14 PUBLISH QoS 0",
        bytes: [
            "30", // PUBLISH QoS 0
            "07", // remaining length 7
            "00 03 61 2f 62", // topic "a/b"
            "68 69", // payload "hi"
        ],
        expect: "PUBLISH topic=a/b qos=0 id=0 dup=0 retain=0 payload=6869",
    },
    {
        name: "C54 PUBLISH QoS 1 id 1",
        bytes: ["32", "06", "00 01 74", "00 01", "78"],
        expect: "PUBLISH topic=t qos=1 id=1 dup=0 retain=0 payload=78",
    },
    {
        name: "C15 PUBLISH QoS 1 DUP retain id 0x3421",
        bytes: ["3b", "06", "00 01 74", "34 21", "78"],
        expect: "PUBLISH topic=t qos=1 id=13345 dup=1 retain=1 payload=78",
    },
    {
        name: "C55 PUBLISH QoS 2 id 65535 empty payload",
        bytes: ["34", "05", "00 01 74", "ff ff"],
        expect: "PUBLISH topic=t qos=2 id=65535 dup=0 retain=0 payload=",
    },
    {
        name: "C14 PUBLISH retained QoS 0 with an empty payload",
        bytes: ["31", "03", "00 01 74"],
        expect: "PUBLISH topic=t qos=0 id=0 dup=0 retain=1 payload=",
    },
    {
        name: "C03 PUBLISH topic with U+FEFF is delivered unchanged",
        bytes: ["30", "08", "00 06", "ef bb bf 61 2f 62"],
        expect: "PUBLISH topic=\uFEFFa/b qos=0 id=0 dup=0 retain=0 payload=",
    },
    {
        name: "C01 PUBLISH topic with 2-, 3- and 4-byte characters",
        bytes: ["30", "0d", "00 0b", "c3 a9 2f e2 82 ac 2f f0 9f 98 80"],
        expect: "PUBLISH topic=\u00e9/\u20ac/\uD83D\uDE00 qos=0 id=0 dup=0 retain=0 payload=",
    },
    {
        name: "C71 PUBLISH $SYS topic",
        bytes: ["30", "08", "00 06 24 53 59 53 2f 78"],
        expect: "PUBLISH topic=$SYS/x qos=0 id=0 dup=0 retain=0 payload=",
    },
    {
        name: "C15 PUBACK",
        bytes: ["40", "02", "34 21"],
        expect: "PUBACK id=13345",
    },
    { name: "C52 PUBREC", bytes: ["50", "02", "00 01"], expect: "PUBREC id=1" },
    {
        name: "C55 PUBREL 62",
        bytes: ["62", "02", "00 02"],
        expect: "PUBREL id=2",
    },
    {
        name: "C52 PUBCOMP",
        bytes: ["70", "02", "ff ff"],
        expect: "PUBCOMP id=65535",
    },
    {
        name: "C75 UNSUBACK",
        bytes: ["b0", "02", "00 0b"],
        expect: "UNSUBACK id=11",
    },
    {
        name: "C72 SUBACK granted 0, 1 and failure 0x80",
        bytes: ["90", "05", "00 0a", "00 01 80"],
        expect: "SUBACK id=10 rcs=0,1,128",
    },
    {
        name: "C72 SUBACK granted 2",
        bytes: ["90", "03", "00 01", "02"],
        expect: "SUBACK id=1 rcs=2",
    },
    { name: "C36 PINGRESP", bytes: ["d0", "00"], expect: "PINGRESP" },
    // C07: 3.1.1 does not forbid non-minimal remaining lengths; the framer accepts them.
    {
        name: "C07 non-minimal remaining length 80 00 is accepted",
        bytes: ["d0", "80 00"],
        expect: "PINGRESP",
    },
    {
        name: "C07 non-minimal 4-byte remaining length 80 80 80 00 is accepted",
        bytes: ["d0", "80 80 80 00"],
        expect: "PINGRESP",
    },
    {
        name: "C07 non-minimal remaining length 87 00 for 7",
        bytes: ["30", "87 00", "00 03 61 2f 62", "68 69"],
        expect: "PUBLISH topic=a/b qos=0 id=0 dup=0 retain=0 payload=6869",
    },
]

/**
 * Every item of the checklist's "Malformed input" list that reaches the framer or decoder. The
 * length limit is shown on SUBACK: an oversized PUBLISH is not an error but a drop (framer.ts,
 * issue 22; test/mqtt/framer.test.ts "oversized PUBLISH").
 */
export const MALFORMED_VECTORS: StreamVector[] = [
    {
        name: "C07 malformed #1 5-byte remaining length",
        bytes: ["30", "ff ff ff ff 7f"],
        expect: "malformed remaining length",
    },
    {
        name: "C08 malformed #2 remaining length 268435455 with no data",
        bytes: ["90", "ff ff ff 7f"],
        expect: "packet too large",
    },
    {
        name: "C08 remaining length 3 MB against an 8 KB limit",
        bytes: ["90", "80 80 c0 01"],
        expect: "packet too large",
    },
    {
        name: "C08 remaining length 8193 against an 8 KB limit",
        bytes: ["90", "81 40"],
        expect: "packet too large",
    },
    {
        name: "malformed #4 topic length above remaining length",
        bytes: ["30", "07", "ff ff", "41 42 43 44 45"],
        expect: "topic length exceeds remaining length",
    },
    {
        name: "C11 malformed #5 QoS 1 without room for the id",
        bytes: ["32", "03", "00 01 61"],
        expect: "missing packet identifier",
    },
    {
        name: "C44 malformed #6 PUBLISH QoS 3",
        bytes: ["36", "05", "00 01 61", "00 01"],
        expect: "invalid PUBLISH QoS",
    },
    {
        name: "C11 malformed #6 QoS 1 with id 0",
        bytes: ["32", "05", "00 01 61", "00 00"],
        expect: "packet identifier 0",
    },
    {
        name: "C46 malformed #6 topic with +",
        bytes: ["30", "05", "00 03 61 2f 2b"],
        expect: "wildcard in topic name",
    },
    {
        name: "C46 malformed #6 topic #",
        bytes: ["30", "03", "00 01 23"],
        expect: "wildcard in topic name",
    },
    {
        name: "C47 malformed #6 empty topic",
        bytes: ["30", "02", "00 00"],
        expect: "empty topic",
    },
    {
        name: "C42 PUBLISH QoS 0 with DUP",
        bytes: ["38", "03", "00 01 61"],
        expect: "invalid flags",
    },
    {
        name: "PUBLISH with a 1-byte body",
        bytes: ["30", "01", "00"],
        expect: "PUBLISH too short",
    },
    {
        name: "PUBLISH with an empty body",
        bytes: ["30", "00"],
        expect: "PUBLISH too short",
    },
    {
        name: "C01 malformed #7 topic C3 28 is ill-formed",
        bytes: ["30", "04", "00 02 c3 28"],
        expect: "invalid UTF-8 in topic",
    },
    {
        name: "C01 malformed #7 topic surrogate ED A0 80",
        bytes: ["30", "05", "00 03 ed a0 80"],
        expect: "invalid UTF-8 in topic",
    },
    {
        name: "C01 malformed #7 topic overlong C0 AF",
        bytes: ["30", "04", "00 02 c0 af"],
        expect: "invalid UTF-8 in topic",
    },
    {
        name: "C02 malformed #7 topic with NUL",
        bytes: ["30", "05", "00 03 61 00 62"],
        expect: "invalid UTF-8 in topic",
    },
    {
        name: "topic with the non-character U+FFFF (the VM would turn it into U+FFFD)",
        bytes: ["30", "05", "00 03 ef bf bf"],
        expect: "invalid UTF-8 in topic",
    },
    {
        name: "C37 malformed #8 CONNACK remaining length 3",
        bytes: ["20", "03", "00 00 00"],
        expect: "invalid CONNACK length",
    },
    {
        name: "C37 CONNACK remaining length 0",
        bytes: ["20", "00"],
        expect: "invalid CONNACK length",
    },
    {
        name: "C37 malformed #8 CONNACK reserved acknowledge flags",
        bytes: ["20", "02", "02 00"],
        expect: "invalid CONNACK acknowledge flags",
    },
    {
        name: "C38 malformed #8 CONNACK return code 6",
        bytes: ["20", "02", "00 06"],
        expect: "invalid CONNACK return code",
    },
    {
        name: "C06 CONNACK first byte 21",
        bytes: ["21", "02", "00 00"],
        expect: "invalid flags",
    },
    {
        name: "C06 malformed #9 PUBACK first byte 41",
        bytes: ["41", "02", "00 01"],
        expect: "invalid flags",
    },
    {
        name: "malformed #9 PUBACK remaining length 3",
        bytes: ["40", "03", "00 01 00"],
        expect: "invalid PUBACK length",
    },
    {
        name: "malformed #9 PUBREC remaining length 1",
        bytes: ["50", "01", "00"],
        expect: "invalid PUBREC length",
    },
    {
        name: "malformed #9 PUBCOMP remaining length 3",
        bytes: ["70", "03", "00 01 00"],
        expect: "invalid PUBCOMP length",
    },
    {
        name: "malformed #9 UNSUBACK remaining length 3",
        bytes: ["b0", "03", "00 01 00"],
        expect: "invalid UNSUBACK length",
    },
    {
        name: "C06 malformed #9 PUBREL first byte 60",
        bytes: ["60", "02", "00 01"],
        expect: "invalid flags",
    },
    {
        name: "C06 malformed #9 PUBREL first byte 63",
        bytes: ["63", "02", "00 01"],
        expect: "invalid flags",
    },
    {
        name: "malformed #9 PUBREL remaining length 3",
        bytes: ["62", "03", "00 01 00"],
        expect: "invalid PUBREL length",
    },
    {
        name: "C06 malformed #9 PINGRESP first byte d1",
        bytes: ["d1", "00"],
        expect: "invalid flags",
    },
    {
        name: "malformed #9 PINGRESP remaining length 1",
        bytes: ["d0", "01", "00"],
        expect: "invalid PINGRESP length",
    },
    {
        name: "C11 PUBACK id 0",
        bytes: ["40", "02", "00 00"],
        expect: "packet identifier 0",
    },
    {
        name: "C72 malformed #10 SUBACK return code 3",
        bytes: ["90", "03", "00 01", "03"],
        expect: "invalid SUBACK return code",
    },
    {
        name: "C72 malformed #10 SUBACK without return codes",
        bytes: ["90", "02", "00 01"],
        expect: "invalid SUBACK length",
    },
    {
        name: "C06 SUBACK first byte 92",
        bytes: ["92", "03", "00 01", "00"],
        expect: "invalid flags",
    },
    {
        name: "C11 SUBACK id 0",
        bytes: ["90", "03", "00 00", "00"],
        expect: "packet identifier 0",
    },
    {
        name: "C09 malformed #11 reserved type 0",
        bytes: ["00", "00"],
        expect: "reserved packet type",
    },
    {
        name: "C09 malformed #11 reserved type 15",
        bytes: ["f0", "00"],
        expect: "reserved packet type",
    },
    {
        name: "C10 malformed #11 CONNECT from the server",
        bytes: ["10", "00"],
        expect: "unexpected packet type from server",
    },
    {
        name: "C10 malformed #11 SUBSCRIBE from the server",
        bytes: ["82", "00"],
        expect: "unexpected packet type from server",
    },
    {
        name: "C10 malformed #11 UNSUBSCRIBE from the server",
        bytes: ["a2", "00"],
        expect: "unexpected packet type from server",
    },
    {
        name: "C10 malformed #11 PINGREQ from the server",
        bytes: ["c0", "00"],
        expect: "unexpected packet type from server",
    },
    {
        name: "C10 malformed #11 DISCONNECT from the server",
        bytes: ["e0", "00"],
        expect: "unexpected packet type from server",
    },
]
