/**
 * Golden vectors for MQTT strings (C01-C04) and topics (C46-C49, C69-C71), shared by the Node and
 * on-VM tests. Pure data: imports nothing. No lone surrogates and no U+FFFE/U+FFFF literals here:
 * they do not compile for the VM (see test/mqtt/utf8.test.ts for those).
 */

export interface Utf8EncodeVector {
    name: string
    text: string
    hex: string
}

export const UTF8_ENCODE_VECTORS: Utf8EncodeVector[] = [
    { name: "empty string", text: "", hex: "" },
    { name: "ASCII", text: "a/b", hex: "612f62" },
    { name: "2 bytes U+00E9", text: "\u00e9", hex: "c3a9" },
    { name: "2 bytes max U+07FF", text: "\u07ff", hex: "dfbf" },
    { name: "3 bytes min U+0800", text: "\u0800", hex: "e0a080" },
    { name: "3 bytes U+20AC", text: "\u20ac", hex: "e282ac" },
    {
        name: "3 bytes U+D7FF below the surrogates",
        text: "\ud7ff",
        hex: "ed9fbf",
    },
    {
        name: "3 bytes U+E000 above the surrogates",
        text: "\ue000",
        hex: "ee8080",
    },
    { name: "3 bytes U+FFFD", text: "\ufffd", hex: "efbfbd" },
    {
        name: "C03 U+FEFF is encoded, not dropped",
        text: "\uFEFFa",
        hex: "efbbbf61",
    },
    { name: "4 bytes U+10000", text: "\uD800\uDC00", hex: "f0908080" },
    { name: "4 bytes U+1F600", text: "\uD83D\uDE00", hex: "f09f9880" },
    {
        name: "4 bytes U+10FFFD, the last code point that is not a non-character",
        text: "\uDBFF\uDFFD",
        hex: "f48fbfbd",
    },
]

export interface Utf8BytesVector {
    name: string
    bytes: string[]
    valid: boolean
    /** The decoded string when valid. */
    text?: string
}

export const UTF8_VALIDATE_VECTORS: Utf8BytesVector[] = [
    { name: "ASCII", bytes: ["61 2f 62"], valid: true, text: "a/b" },
    { name: "DEL 7F is allowed", bytes: ["7f"], valid: true, text: "\u007f" },
    { name: "U+0080", bytes: ["c2 80"], valid: true, text: "\u0080" },
    { name: "U+00E9", bytes: ["c3 a9"], valid: true, text: "\u00e9" },
    { name: "U+0800", bytes: ["e0 a0 80"], valid: true, text: "\u0800" },
    { name: "U+D7FF", bytes: ["ed 9f bf"], valid: true, text: "\ud7ff" },
    { name: "U+E000", bytes: ["ee 80 80"], valid: true, text: "\ue000" },
    {
        name: "C03 U+FEFF is kept",
        bytes: ["ef bb bf 61"],
        valid: true,
        text: "\uFEFFa",
    },
    {
        name: "U+1F600",
        bytes: ["f0 9f 98 80"],
        valid: true,
        text: "\uD83D\uDE00",
    },
    {
        name: "U+10FFFD",
        bytes: ["f4 8f bf bd"],
        valid: true,
        text: "\uDBFF\uDFFD",
    },
    { name: "U+FFFD", bytes: ["ef bf bd"], valid: true, text: "\ufffd" },
    {
        name: "control character U+0001 is allowed (SHOULD NOT, not MUST NOT)",
        bytes: ["01"],
        valid: true,
        text: "\u0001",
    },
    { name: "empty", bytes: [], valid: true, text: "" },
    { name: "C01 C3 28 ill-formed", bytes: ["c3 28"], valid: false },
    {
        name: "C01 ED A0 80 surrogate U+D800",
        bytes: ["ed a0 80"],
        valid: false,
    },
    {
        name: "C01 ED BF BF surrogate U+DFFF",
        bytes: ["ed bf bf"],
        valid: false,
    },
    { name: "C01 C0 AF overlong '/'", bytes: ["c0 af"], valid: false },
    { name: "C02 C0 80 overlong NUL", bytes: ["c0 80"], valid: false },
    { name: "C01 C1 BF overlong", bytes: ["c1 bf"], valid: false },
    {
        name: "C01 E0 80 AF overlong 3 bytes",
        bytes: ["e0 80 af"],
        valid: false,
    },
    {
        name: "C01 F0 80 80 AF overlong 4 bytes",
        bytes: ["f0 80 80 af"],
        valid: false,
    },
    {
        name: "C01 F4 90 80 80 above U+10FFFF",
        bytes: ["f4 90 80 80"],
        valid: false,
    },
    { name: "C01 F5 lead byte", bytes: ["f5 80 80 80"], valid: false },
    { name: "C01 FF byte", bytes: ["ff"], valid: false },
    { name: "C01 lone continuation byte", bytes: ["80"], valid: false },
    { name: "C01 truncated 2-byte sequence", bytes: ["c3"], valid: false },
    { name: "C01 truncated 3-byte sequence", bytes: ["e2 82"], valid: false },
    {
        name: "C01 truncated 4-byte sequence",
        bytes: ["f0 9f 98"],
        valid: false,
    },
    {
        name: "C01 continuation replaced by ASCII",
        bytes: ["e2 28 a1"],
        valid: false,
    },
    { name: "C02 NUL", bytes: ["61 00 62"], valid: false },
    // §1.5.3 non-characters: a receiver MAY close, and the VM cannot hold U+FFFE/U+FFFF at all
    { name: "non-character U+FFFF", bytes: ["ef bf bf"], valid: false },
    { name: "non-character U+FFFE", bytes: ["ef bf be"], valid: false },
    { name: "non-character U+FDD0", bytes: ["ef b7 90"], valid: false },
    { name: "non-character U+1FFFF", bytes: ["f0 9f bf bf"], valid: false },
    { name: "non-character U+10FFFF", bytes: ["f4 8f bf bf"], valid: false },
]

export interface TopicVector {
    text: string
    valid: boolean
}

export const TOPIC_NAME_VECTORS: TopicVector[] = [
    { text: "a", valid: true },
    { text: "a/b", valid: true },
    { text: "/", valid: true },
    { text: "/a", valid: true },
    { text: "a/", valid: true },
    { text: "a//b", valid: true },
    { text: "$SYS/x", valid: true },
    { text: "a b", valid: true },
    { text: "\uFEFFa/b", valid: true },
    { text: "\u00e9/\u20ac/\uD83D\uDE00", valid: true },
    { text: "", valid: false }, // C47
    { text: "+", valid: false }, // C46
    { text: "#", valid: false },
    { text: "a/+", valid: false },
    { text: "a/#", valid: false },
    { text: "a+b", valid: false },
    { text: "a#", valid: false },
    { text: "a\u0000b", valid: false }, // C48
]

export const TOPIC_FILTER_VECTORS: TopicVector[] = [
    { text: "a", valid: true },
    { text: "a/b", valid: true },
    { text: "#", valid: true }, // C69
    { text: "a/#", valid: true },
    { text: "/#", valid: true },
    { text: "+", valid: true }, // C70
    { text: "+/a", valid: true },
    { text: "a/+/b", valid: true },
    { text: "+/+", valid: true },
    { text: "/+", valid: true },
    { text: "+/", valid: true },
    { text: "+/#", valid: true },
    { text: "//", valid: true },
    { text: "$SYS/#", valid: true },
    { text: "", valid: false }, // C47
    { text: "a#", valid: false }, // C69
    { text: "#/a", valid: false },
    { text: "a/#/b", valid: false },
    { text: "#/event", valid: false },
    { text: "event#", valid: false },
    { text: "system/#/event", valid: false },
    { text: "system/+/#/event", valid: false },
    { text: "##", valid: false },
    { text: "a+", valid: false }, // C70
    { text: "a/+b", valid: false },
    { text: "+a", valid: false },
    { text: "++", valid: false },
    { text: "a\u0000b", valid: false }, // C48
]

export interface MatchVector {
    filter: string
    topic: string
    match: boolean
}

/** C71, with the paho interoperability topic set. */
export const TOPIC_MATCH_VECTORS: MatchVector[] = [
    { filter: "a/b", topic: "a/b", match: true },
    { filter: "a/#", topic: "a", match: true }, // "#" includes the parent level
    { filter: "a/#", topic: "a/", match: true },
    { filter: "a/#", topic: "a/b/c", match: true },
    { filter: "a/#", topic: "ab", match: false },
    { filter: "a/b/#", topic: "a/b", match: true },
    { filter: "+/#", topic: "a", match: true },
    { filter: "#", topic: "a/b", match: true },
    { filter: "#", topic: "/TopicA", match: true },
    { filter: "+", topic: "a", match: true },
    { filter: "+", topic: "a/b", match: false },
    { filter: "+", topic: "/a", match: false },
    { filter: "+/+", topic: "/a", match: true }, // "+" matches the empty first level
    { filter: "/+", topic: "/a", match: true },
    { filter: "a/+/b", topic: "a//b", match: true }, // ... and an empty middle level
    { filter: "a/+", topic: "a/", match: true },
    { filter: "a/+", topic: "a", match: false },
    { filter: "a/b", topic: "a//b", match: false }, // no normalisation [MQTT-4.7.3-4]
    { filter: "a/b", topic: "a/b/", match: false },
    { filter: "A/b", topic: "a/b", match: false }, // case-sensitive
    { filter: "#", topic: "$SYS/x", match: false }, // [MQTT-4.7.2-1]
    { filter: "+/x", topic: "$SYS/x", match: false },
    { filter: "+", topic: "$SYS", match: false },
    { filter: "$SYS/#", topic: "$SYS/x", match: true },
    { filter: "$SYS/+", topic: "$SYS/x", match: true },
    { filter: "$SYS", topic: "$SYS", match: true },
    { filter: "a/$x", topic: "a/$x", match: true },
    { filter: "+/$x", topic: "a/$x", match: true }, // only a leading "$" is special
    { filter: "TopicA/#", topic: "TopicA", match: true },
    { filter: "TopicA/+", topic: "TopicA/B", match: true },
    { filter: "+/C", topic: "Topic/C", match: true },
    { filter: "+/C", topic: "TopicA/C", match: true },
    { filter: "+/TopicA", topic: "/TopicA", match: true },
    { filter: "TopicA/+", topic: "TopicA/B/C", match: false },
    { filter: "a#", topic: "a#", match: false }, // an invalid filter matches nothing
    { filter: "a", topic: "", match: false }, // an invalid topic matches nothing
]
