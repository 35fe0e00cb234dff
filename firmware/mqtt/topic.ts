/**
 * Topic names and topic filters (§4.7): validation before anything is sent, and the matcher used
 * to dispatch received messages to handlers. Portable: imports only utf8.ts.
 */
import { MAX_STRING_BYTES, UTF8_INVALID, utf8Length } from "./utf8"

const LEVEL_SEPARATOR = "/"
const MULTI_LEVEL = "#"
const SINGLE_LEVEL = "+"

/**
 * Why a topic or filter string cannot be encoded at all, or "" when it can: at least one
 * character (C47, [MQTT-4.7.3-1]), no lone surrogate (C01), no U+0000 (C48, [MQTT-4.7.3-2]),
 * no non-character (§1.5.3, see utf8.ts), at most 65 535 encoded bytes (C49, [MQTT-4.7.3-3]).
 */
function stringError(s: string): string {
    if (s.length === 0) return "empty topic [MQTT-4.7.3-1]"
    const n = utf8Length(s)
    if (n === UTF8_INVALID) return "lone surrogate, U+0000 or non-character in topic [MQTT-1.5.3-1] [MQTT-4.7.3-2]"
    if (n > MAX_STRING_BYTES) return `topic is ${n} bytes, max ${MAX_STRING_BYTES} [MQTT-4.7.3-3]`
    return ""
}

/** Why t is not a valid Topic Name, or "" when it is. Used for error messages. */
export function topicNameError(t: string): string {
    const e = stringError(t)
    if (e !== "") return e
    // C46: wildcards are only for filters [MQTT-3.3.2-2] [MQTT-4.7.1-1]
    if (t.indexOf(MULTI_LEVEL) >= 0 || t.indexOf(SINGLE_LEVEL) >= 0) return "wildcard in topic name [MQTT-3.3.2-2]"
    return ""
}

/** Non-empty, no + or #, encodable, at most 65 535 UTF-8 bytes (C46-C49). */
export function validTopicName(t: string): boolean {
    return topicNameError(t) === ""
}

/** Why f is not a valid Topic Filter, or "" when it is. Used for error messages. */
export function topicFilterError(f: string): string {
    const e = stringError(f)
    if (e !== "") return e
    const levels = f.split(LEVEL_SEPARATOR)
    const last = levels.length - 1
    for (let i = 0; i <= last; i++) {
        const level = levels[i]
        // C69: '#' is a whole level and the last one [MQTT-4.7.1-2]
        if (level.indexOf(MULTI_LEVEL) >= 0 && (level !== MULTI_LEVEL || i !== last))
            return "'#' must be a whole level and the last one [MQTT-4.7.1-2]"
        // C70: '+' is a whole level [MQTT-4.7.1-3]
        if (level.indexOf(SINGLE_LEVEL) >= 0 && level !== SINGLE_LEVEL)
            return "'+' must be a whole level [MQTT-4.7.1-3]"
    }
    return ""
}

/** C69/C70 wildcard rules plus the string rules shared with topic names (C47-C49). */
export function validTopicFilter(f: string): boolean {
    return topicFilterError(f) === ""
}

/**
 * Does a received topic match a subscription filter? Mirrors the server rules (C71):
 * "a/#" matches "a" (the parent level), "+" matches an empty level, a filter that starts with a
 * wildcard does not match a topic that starts with "$" ([MQTT-4.7.2-1]), and nothing is
 * normalised: "a/b" and "a//b" differ ([MQTT-4.7.3-4]). An invalid filter or topic matches nothing.
 */
export function topicMatches(filter: string, topic: string): boolean {
    if (!validTopicFilter(filter) || !validTopicName(topic)) return false
    if (topic.charCodeAt(0) === 0x24 /* $ */) {
        const f0 = filter.charCodeAt(0)
        if (f0 === 0x23 /* # */ || f0 === 0x2b /* + */) return false
    }
    const fl = filter.split(LEVEL_SEPARATOR)
    const tl = topic.split(LEVEL_SEPARATOR)
    for (let i = 0; i < fl.length; i++) {
        // '#' is last (validated), so it also covers the parent level: "a/#" matches "a"
        if (fl[i] === MULTI_LEVEL) return true
        if (i >= tl.length) return false
        if (fl[i] !== SINGLE_LEVEL && fl[i] !== tl[i]) return false
    }
    return fl.length === tl.length
}
