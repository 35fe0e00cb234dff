/**
 * The requirement ids the tests cite (C07, S3, ...), in our own words, and where they are
 * cited. The ids and their order come from the MQTT 3.1.1 client checklist the project
 * follows (`../shared/mqtt-client-checklist.md`, outside this repository): C rows are
 * obligations of the client, S rows are fault scenarios. docs/conformance.md is rendered
 * from this table and from a scan of the sources (`npm run conformance`), so the list
 * of covering tests cannot drift from the tests.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

export interface Requirement {
    id: string
    /** The checklist section, as a short heading. */
    area: string
    meaning: string
}

const A = "Framing and data representation"
const B = "Packet identifiers"
const CN = "CONNECT and CONNACK"
const PS = "PUBLISH, sending"
const PR = "PUBLISH, receiving"
const SE = "Session, redelivery and the offline queue"
const SU = "SUBSCRIBE, UNSUBSCRIBE and topic filters"
const DW = "DISCONNECT and the Last Will"
const ER = "Errors and the transport"
const FS = "Fault scenarios"

const r = (id: string, area: string, meaning: string): Requirement => ({ id, area, meaning })

export const REQUIREMENTS: Requirement[] = [
    r(
        "C01",
        A,
        "Strings we send are valid UTF-8 without surrogate halves; a received string that is not valid UTF-8 closes the connection.",
    ),
    r("C02", A, "The NUL character is never sent in a string, and a received one closes the connection."),
    r("C03", A, "A byte-order mark (U+FEFF) inside a received string is kept as it is, not stripped."),
    r(
        "C04",
        A,
        "A string is at most 65 535 bytes once encoded; longer input is refused before anything is sent, never cut.",
    ),
    r(
        "C05",
        A,
        "The reserved flag bits of every packet we send have their fixed values (PUBREL, SUBSCRIBE and UNSUBSCRIBE carry 0b0010).",
    ),
    r("C06", A, "A received packet whose fixed-header flags are wrong for its type closes the connection."),
    r(
        "C07",
        A,
        "The remaining length is encoded in 1 to 4 bytes at every boundary; a fifth length byte is malformed. Non-minimal encodings are accepted (3.1.1 allows them).",
    ),
    r(
        "C08",
        A,
        "A packet longer than the client's receive limit closes the connection, decided from its header, without buffering it.",
    ),
    r("C09", A, "Packet types 0 and 15 are reserved: receiving one closes the connection."),
    r(
        "C10",
        A,
        "Packet types only a client sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT) close the connection when a broker sends them.",
    ),
    r(
        "C11",
        B,
        "Packets that need an id (QoS > 0 PUBLISH, SUBSCRIBE, UNSUBSCRIBE) never carry id 0; an inbound QoS > 0 PUBLISH with id 0 is a violation.",
    ),
    r(
        "C12",
        B,
        "A new packet takes an id no in-flight packet uses, skipping used ones when the counter wraps; with every id in use the sender waits.",
    ),
    r("C13", B, "A resent packet keeps its id; the id is released only by its acknowledgement."),
    r("C14", B, "A QoS 0 PUBLISH has no packet id field."),
    r("C15", B, "An acknowledgement carries the id of the packet it acknowledges."),
    r(
        "C16",
        B,
        "A SUBACK or UNSUBACK is matched to its request by id; one with an unknown id is ignored, not a crash.",
    ),
    r("C17", CN, "CONNECT is the first packet on every new connection: nothing queued goes out before it."),
    r("C18", CN, "One CONNECT per connection: without a CONNACK in time the socket is closed and a new one opened."),
    r("C19", CN, 'CONNECT names protocol "MQTT" level 4; a CONNACK refusing the level is a configuration error.'),
    r("C20", CN, "The reserved bit of the connect flags is always 0."),
    r(
        "C21",
        CN,
        "With a persistent session (clean session off) the client keeps its own in-flight state across connections and resumes it.",
    ),
    r(
        "C22",
        CN,
        "With clean session on, nothing of the previous session is reused (re-publishing as new messages is the application's choice).",
    ),
    r("C23", CN, "With the Will flag set, the Will topic and message are in the CONNECT payload."),
    r("C24", CN, "Without a Will, the Will QoS and retain bits are 0 and there are no Will fields."),
    r("C25", CN, "The Will QoS is 0, 1 or 2; 3 is refused."),
    r("C26", CN, "The user name flag is set exactly when a user name is sent."),
    r("C27", CN, "The password flag is set exactly when a password is sent."),
    r("C28", CN, "A password without a user name is a configuration error, never silently dropped."),
    r(
        "C29",
        CN,
        "The CONNECT payload fields come in the order client id, Will topic, Will message, user name, password.",
    ),
    r("C30", CN, "The client id is present, first, and UTF-8; it keys the session state."),
    r("C31", CN, "Generated client ids use only 1-23 letters and digits, which every broker must accept."),
    r("C32", CN, "An empty client id is only allowed with clean session on."),
    r("C33", CN, "The Will topic and user name are UTF-8, and the Will topic is a valid topic name (no wildcards)."),
    r("C34", CN, "The Will message and password are binary fields of at most 65 535 bytes."),
    r(
        "C35",
        CN,
        "Keepalive is 16 bits of seconds, big-endian; a PINGREQ goes out before the keepalive passes without traffic (scheduled early, at 0.75 of it).",
    ),
    r(
        "C36",
        CN,
        "Without a PINGRESP in reasonable time the client closes and reconnects: a silent broker is detected, not only a dead socket.",
    ),
    r("C37", CN, "The broker's first packet must be a well-formed CONNACK; anything else closes the connection."),
    r(
        "C38",
        CN,
        "CONNACK codes 1-5 are refusals handled by a per-code retry policy; a code above 5 is a protocol violation.",
    ),
    r(
        "C39",
        CN,
        "Session present set while clean session is on is a broker error; with a persistent session that the broker lost, the client subscribes again.",
    ),
    r(
        "C40",
        CN,
        "Messages written before the CONNACK are not counted as delivered; the queue is flushed only after an accepting CONNACK.",
    ),
    r("C41", PS, "A PUBLISH sent again carries DUP = 1."),
    r("C42", PS, "A QoS 0 PUBLISH always has DUP = 0 and is never retried."),
    r("C43", PS, "DUP says only whether this copy is a retransmission: 0 on the first send, 1 on a resend."),
    r("C44", PS, "QoS 3 is never sent; an inbound PUBLISH with both QoS bits set closes the connection."),
    r("C45", PS, "The topic name opens the PUBLISH variable header and is UTF-8."),
    r("C46", PS, "A topic name to publish to has no + or # wildcard."),
    r(
        "C47",
        PS,
        "Topic names and filters are at least one character long; an inbound empty topic closes the connection.",
    ),
    r("C48", PS, "Topic names and filters contain no NUL character."),
    r("C49", PS, "Topic names and filters are at most 65 535 bytes once encoded."),
    r("C50", PS, "A QoS 1 message stays unacknowledged (and its completion pending) until its own PUBACK arrives."),
    r("C51", PS, "A PUBACK does not prove the broker's access rules let the message through."),
    r(
        "C52",
        PS,
        "QoS 2 sending: PUBLISH until PUBREC, then PUBREL until PUBCOMP, never the PUBLISH again after PUBREL.",
    ),
    r("C53", PR, "Every received PUBLISH is acknowledged for its QoS, even when no handler wants it."),
    r(
        "C54",
        PR,
        "A QoS 1 PUBLISH is acknowledged with its id; the same id after that PUBACK is a new message, DUP or not.",
    ),
    r(
        "C55",
        PR,
        "A QoS 2 PUBLISH is answered with PUBREC (never PUBACK), delivered once, and completed with PUBCOMP on PUBREL.",
    ),
    r("C56", PR, "PUBACKs go out in the order the PUBLISHes arrived, even for many packets in one read."),
    r("C57", PR, "PUBRECs go out in the order the PUBLISHes arrived."),
    r("C58", PR, "PUBRELs go out in the order the PUBRECs arrived."),
    r(
        "C59",
        PR,
        "An acknowledgement for an unknown id is ignored and the session carries on; an unknown PUBREL still gets its PUBCOMP.",
    ),
    r(
        "C60",
        SE,
        "After reconnecting with a persistent session, unacknowledged QoS > 0 messages are resent first, with DUP = 1 and their original ids.",
    ),
    r("C61", SE, "Resends keep the original send order, also across the id wrap from 65535 to 1."),
    r(
        "C62",
        SE,
        "Session state lasts at least as long as the connection; if it is not kept across a reboot, that is stated.",
    ),
    r(
        "C63",
        SE,
        "No timer-driven resend on a healthy connection is needed; if one exists it uses DUP = 1, the same id and a backoff.",
    ),
    r(
        "C64",
        SE,
        "The offline queue is bounded; queued messages go out after CONNACK in order, ahead of newer ones, and the drop policy is explicit and counted.",
    ),
    r("C65", SU, "SUBSCRIBE's first byte is 0x82."),
    r("C66", SU, "Topic filters are UTF-8."),
    r("C67", SU, "A SUBSCRIBE carries at least one filter."),
    r("C68", SU, "The requested QoS byte is 0, 1 or 2 with the upper six bits clear."),
    r("C69", SU, "# stands alone or after a / and is the last character of a filter."),
    r("C70", SU, "+ takes a whole topic level."),
    r(
        "C71",
        SU,
        "Local dispatch matches as a broker does: wildcards at the start do not match $ topics, a/# matches a, + matches an empty level.",
    ),
    r(
        "C72",
        SU,
        "A SUBACK has one valid code per filter, in order; 0x80 is a failure reported to the caller; anything else is a violation.",
    ),
    r("C73", SU, "UNSUBSCRIBE's first byte is 0xA2."),
    r("C74", SU, "UNSUBSCRIBE filters are UTF-8, at least one of them."),
    r("C75", SU, "An unsubscribe completes on its UNSUBACK; messages that still arrive are acknowledged."),
    r(
        "C76",
        SU,
        "After a reconnect that lost the session, subscriptions are sent again exactly once, also if the link broke before SUBACK.",
    ),
    r("C77", DW, "After sending DISCONNECT the client closes the connection."),
    r("C78", DW, "Nothing follows a DISCONNECT on that connection."),
    r(
        "C79",
        DW,
        "A planned stop (DISCONNECT) sends no Will; a lost link or keepalive expiry does. A retained offline status is published before a planned stop.",
    ),
    r("C80", ER, "Any protocol violation closes the connection, then the normal reconnect path runs."),
    r("C81", ER, "A packet the client cannot process for lack of memory or room also closes the connection."),
    r("C82", ER, "The byte stream has no alignment with packets: any split or coalescing of reads parses the same."),
    r(
        "C83",
        ER,
        "Over WebSocket: binary frames, no frame alignment, the mqtt subprotocol (this project has no WebSocket transport).",
    ),
    r("C84", ER, "Interoperating needs no non-standard broker extension."),
    r(
        "S1",
        FS,
        "The broker restarts mid-stream: the client reconnects with backoff and every telemetry sequence number arrives at least once.",
    ),
    r(
        "S2",
        FS,
        "The connection resets after a PUBLISH and before its PUBACK: the message is resent with DUP = 1 and the same id.",
    ),
    r(
        "S3",
        FS,
        "Half-open link (both directions silent, sockets open): the client notices within keepalive plus the PINGRESP deadline; the broker publishes the Will.",
    ),
    r(
        "S4",
        FS,
        "Only broker-to-client traffic is dropped while the client streams: the missing PINGRESP or PUBACK gives it away.",
    ),
    r(
        "S5",
        FS,
        "The stream arrives in 1-byte or random 1-1500-byte slices, or coalesced: the results are the same as without the fault.",
    ),
    r("S6", FS, "Seconds of latency with jitter and 1 KB/s of bandwidth: no spurious keepalive timeout, order kept."),
    r(
        "S7",
        FS,
        "Truncation sweep: the link dies at every byte offset of a session, each way: no crash, a reconnect, no acknowledged message lost.",
    ),
    r(
        "S8",
        FS,
        "CONNACK withheld, CONNACK code 3, connection refused, name lookup failing: jittered exponential backoff, never a tight loop.",
    ),
    r(
        "S9",
        FS,
        "CONNACK 4 or 5 until the broker is fixed: the authentication retry policy (high floor, bounded), then recovery.",
    ),
    r(
        "S10",
        FS,
        "A slow broker withholds PUBACKs: the in-flight window fills, then the queue bound, then counted drops.",
    ),
    r("S11", FS, "The broker floods the device with QoS 1 commands: acknowledged in order, memory bounded."),
    r(
        "S12",
        FS,
        "Another client takes over the client id: no reconnect storm; the backoff grows and the conflict is reported.",
    ),
    r("S13", FS, "Power cycle with a persistent session: the persistence claim holds, or its absence is documented."),
]

/** An id as the sources write it: C and two digits, or S and a number not preceded by a dash (ESP32-S3 is a chip). */
export const ID_PATTERN = /(?<![-\w])(C\d{2}|S\d{1,2})(?!\w)/g

/** Every .ts file under `dir`, as paths relative to `root`, sorted. */
function sourceFiles(root: string, dir: string): string[] {
    const out: string[] = []
    const walk = (d: string) => {
        for (const name of readdirSync(d)) {
            const p = join(d, name)
            if (statSync(p).isDirectory()) walk(p)
            else if (name.endsWith(".ts")) out.push(relative(root, p))
        }
    }
    walk(join(root, dir))
    return out.sort()
}

/** The tests of this page itself name ids as examples; they cover no requirement. */
const NOT_CITATIONS = "test/docs/"

/** id -> files under `dirs` that cite it. */
export function citations(root: string, dirs: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const dir of dirs)
        for (const file of sourceFiles(root, dir)) {
            if (file.startsWith(NOT_CITATIONS)) continue
            const ids = new Set<string>()
            for (const m of readFileSync(join(root, file), "utf8").matchAll(ID_PATTERN)) ids.add(m[1])
            for (const id of ids) out.set(id, [...(out.get(id) ?? []), file])
        }
    return out
}

const link = (file: string) => `[${file.replace(/^test\//, "")}](../${file})`

/** docs/conformance.md, from REQUIREMENTS and the citations found under test/ and in the code. */
export function renderConformance(root: string): string {
    const tests = citations(root, ["test"])
    const code = citations(root, ["firmware", "host-sim"])
    const lines = [
        "# Conformance: requirement ids and the tests that cover them",
        "",
        "Test names and comments cite requirement ids: **C** rows are obligations of an MQTT 3.1.1 client, **S** rows",
        "are fault scenarios, both from the MQTT client checklist the project follows. This page says what each id",
        "means, in our words, and lists every test file that cites it (a test file under `test/`, or shared vectors",
        "and fakes that tests run) and the code that cites it where the rule is enforced.",
        "",
        "Generated by `npm run conformance` from `scripts/lib/requirements.ts` and a scan of the sources;",
        "`test/docs/conformance.test.ts` fails when this page is stale or a test cites an id it does not list.",
    ]
    let area = ""
    for (const q of REQUIREMENTS) {
        if (q.area !== area) {
            area = q.area
            lines.push("", `## ${area}`, "", "| id | what it means | tests | code |", "| --- | --- | --- | --- |")
        }
        const t = tests.get(q.id)
        const c = code.get(q.id)
        lines.push(
            `| ${q.id} | ${q.meaning} | ${t ? t.map(link).join(", ") : "not cited by a test"} | ${c ? c.map(f => `\`${f}\``).join(", ") : ""} |`,
        )
    }
    return lines.join("\n") + "\n"
}
