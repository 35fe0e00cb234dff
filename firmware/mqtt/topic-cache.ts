/**
 * Checked topic names, remembered: a device publishes to a handful of topics, so each is
 * validated (§4.7, §1.5.3) and measured in UTF-8 once, not on every publish. The cache has
 * TOPIC_CACHE_SIZE entries allocated once and replaced round robin; it holds references to the
 * caller's topic strings, nothing more.
 *
 * Portable: imports only topic.ts and utf8.ts.
 */
import { topicNameError } from "./topic"
import { utf8Length } from "./utf8"

export const TOPIC_CACHE_SIZE = 8

export class TopicCache {
    private readonly names: string[] = []
    private readonly lengths: number[] = []
    private next = 0

    constructor() {
        for (let i = 0; i < TOPIC_CACHE_SIZE; i++) {
            this.names.push("")
            this.lengths.push(-1)
        }
    }

    /** UTF-8 length of a valid Topic Name, or -1 when it is not one (C41 C45 C46). */
    bytes(topic: string): number {
        for (let i = 0; i < TOPIC_CACHE_SIZE; i++) if (this.names[i] === topic) return this.lengths[i]
        const n = typeof topic === "string" && topicNameError(topic) === "" ? utf8Length(topic) : -1
        if (n >= 0) {
            this.names[this.next] = topic
            this.lengths[this.next] = n
            this.next = (this.next + 1) % TOPIC_CACHE_SIZE
        }
        return n
    }
}
