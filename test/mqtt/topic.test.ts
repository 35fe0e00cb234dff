import { describe, expect, test } from "vitest"
import {
    topicFilterError,
    topicMatches,
    topicNameError,
    validTopicFilter,
    validTopicName,
} from "../../firmware/mqtt/topic.ts"
import { repeatString } from "../vectors/codec-vectors.ts"
import { TOPIC_FILTER_VECTORS, TOPIC_MATCH_VECTORS, TOPIC_NAME_VECTORS } from "../vectors/text-vectors.ts"

describe("topic names (C46-C49)", () => {
    test.each(TOPIC_NAME_VECTORS)("C46 C47 topic name '$text' valid=$valid", v => {
        expect(validTopicName(v.text)).toBe(v.valid)
        expect(topicNameError(v.text) === "").toBe(v.valid)
    })

    test("C49 a 65535-byte topic name is valid, 65536 bytes is not [MQTT-4.7.3-3]", () => {
        expect(validTopicName(repeatString("a", 65535))).toBe(true)
        expect(validTopicName(repeatString("a", 65536))).toBe(false)
        expect(topicNameError(repeatString("\u00e9", 32768))).toMatch(/65536 bytes/)
    })

    test("C01 a topic with a lone surrogate is invalid (Node-only string)", () => {
        expect(validTopicName("a/\uD800")).toBe(false)
        expect(validTopicFilter("a/\uDC00")).toBe(false)
    })

    test("errors name the rule", () => {
        expect(topicNameError("")).toMatch(/MQTT-4\.7\.3-1/)
        expect(topicNameError("a/+")).toMatch(/MQTT-3\.3\.2-2/)
        expect(topicNameError("a\u0000")).toMatch(/MQTT-4\.7\.3-2/)
    })
})

describe("topic filters (C69, C70)", () => {
    test.each(TOPIC_FILTER_VECTORS)("C69 C70 topic filter '$text' valid=$valid", v => {
        expect(validTopicFilter(v.text)).toBe(v.valid)
    })

    test("C49 a 65535-byte filter is valid, 65536 bytes is not", () => {
        expect(validTopicFilter(repeatString("a", 65533) + "/#")).toBe(true)
        expect(validTopicFilter(repeatString("a", 65534) + "/#")).toBe(false)
    })

    test("errors name the rule", () => {
        expect(topicFilterError("a/#/b")).toMatch(/MQTT-4\.7\.1-2/)
        expect(topicFilterError("a/+b")).toMatch(/MQTT-4\.7\.1-3/)
    })
})

describe("topic matching (C71)", () => {
    test.each(TOPIC_MATCH_VECTORS)("C71 filter '$filter' matches topic '$topic': $match", v => {
        expect(topicMatches(v.filter, v.topic)).toBe(v.match)
    })

    test("C71 a filter without wildcards matches only the identical topic", () => {
        const topics = ["TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA", "TopicA/"]
        for (const f of topics) for (const t of topics) expect(topicMatches(f, t)).toBe(f === t)
    })
})
