/**
 * MQTT_HOSTS (issue 12): the list is parsed once with a clear error per bad entry, shuffled the
 * same way on every boot of one device, and walked by one rule (firmware/mqtt/brokers.ts).
 */
import { describe, expect, test } from "vitest"
import {
    type Broker,
    BrokerPicker,
    brokerOf,
    MAX_BROKERS,
    parseBrokers,
    shuffleBrokers,
} from "../../firmware/mqtt/brokers.ts"

const urls = (r: Broker[] | string) => (typeof r === "string" ? r : r.map(b => b.url))

describe("parsing MQTT_HOSTS", () => {
    test.each([
        ["a.lan:1883", 1883, false, ["mqtt://a.lan:1883"]],
        ["a.lan:1883,b.lan:1884", 1883, false, ["mqtt://a.lan:1883", "mqtt://b.lan:1884"]],
        [" a.lan:1 , b.lan:65535 ", 1883, false, ["mqtt://a.lan:1", "mqtt://b.lan:65535"]],
        ["mqtts://a.lan:8883,mqtt://b.lan:1883", 1883, false, ["mqtts://a.lan:8883", "mqtt://b.lan:1883"]],
        // Without a scheme an entry follows MQTT_TLS, without a port MQTT_PORT.
        ["a.lan,b.lan:9000", 8883, true, ["mqtts://a.lan:8883", "mqtts://b.lan:9000"]],
        ["mqtt://a.lan", 8883, true, ["mqtt://a.lan:8883"]],
    ])("'%s' (MQTT_PORT %i, MQTT_TLS %s) is %j", (text, port, tls, expected) => {
        expect(urls(parseBrokers(text, port, tls))).toEqual(expected)
    })

    test("each broker keeps host, port and TLS apart from its URL", () => {
        expect(parseBrokers("mqtts://n2.example.com:8883", 1883, false)).toEqual([
            { host: "n2.example.com", port: 8883, tls: true, url: "mqtts://n2.example.com:8883" },
        ])
    })

    test.each([
        ["a.lan:0", "MQTT_HOSTS entry 1 'a.lan:0': the port must be an integer in 1..65535"],
        ["a.lan:1883,b.lan:65536", "MQTT_HOSTS entry 2 'b.lan:65536': the port must be an integer in 1..65535"],
        ["a.lan:18x3", "MQTT_HOSTS entry 1 'a.lan:18x3': the port must be an integer in 1..65535"],
        ["a.lan:", "MQTT_HOSTS entry 1 'a.lan:': the port must be an integer in 1..65535"],
        ["a.lan:-1", "MQTT_HOSTS entry 1 'a.lan:-1': the port must be an integer in 1..65535"],
        [":1883", "MQTT_HOSTS entry 1 ':1883': the host is empty"],
        ["a.lan:1883,", "MQTT_HOSTS entry 2 '': the host is empty"],
        ["a.lan,,b.lan", "MQTT_HOSTS entry 2 '': the host is empty"],
        ["mqtts://:8883", "MQTT_HOSTS entry 1 'mqtts://:8883': the host is empty"],
        [
            "ws://a.lan:80",
            "MQTT_HOSTS entry 1 'ws://a.lan:80': expected host:port, mqtt://host:port or mqtts://host:port",
        ],
        [
            "a.lan/mqtt:1883",
            "MQTT_HOSTS entry 1 'a.lan/mqtt:1883': expected host:port, mqtt://host:port or mqtts://host:port",
        ],
        ["a lan:1883", "MQTT_HOSTS entry 1 'a lan:1883': expected host:port, mqtt://host:port or mqtts://host:port"],
        [
            Array.from({ length: MAX_BROKERS + 1 }, (_, i) => `n${i}:1883`).join(","),
            `MQTT_HOSTS lists ${MAX_BROKERS + 1} brokers; at most ${MAX_BROKERS}`,
        ],
    ])("'%s' is refused: %s", (text, error) => {
        expect(parseBrokers(text, 1883, false)).toBe(error)
    })
})

describe("shuffling per device (MQTT_SHUFFLE)", () => {
    const list = () => parseBrokers("n1:1,n2:2,n3:3", 1883, false) as Broker[]

    test("one device gets the same order on every boot, and it is a permutation of the list", () => {
        const a = list()
        const b = list()
        shuffleBrokers(a, "devs0123456789ab")
        shuffleBrokers(b, "devs0123456789ab")
        expect(urls(a)).toEqual(urls(b))
        expect([...urls(a)].sort()).toEqual(urls(list()))
    })

    test("a fleet's first choices spread over every node", () => {
        const first = new Map<string, number>()
        for (let i = 0; i < 300; i++) {
            const l = list()
            shuffleBrokers(l, `sim${i + 1}`)
            first.set(l[0].url, (first.get(l[0].url) ?? 0) + 1)
        }
        expect(first.size).toBe(3)
        // 100 each if even; a bad spread (everyone on one node) would put 300 on one.
        for (const n of first.values()) expect(n).toBeGreaterThan(60)
    })
})

describe("the rule: next on failure, stay while up, first choice after a stable connection", () => {
    const picker = () => new BrokerPicker([brokerOf("a", 1, false), brokerOf("b", 2, false), brokerOf("c", 3, false)])

    test("a failed or short connection moves to the next entry, and after the last comes the first", () => {
        const p = picker()
        const seen = [p.current().host]
        for (let i = 0; i < 4; i++) {
            p.ended(false)
            seen.push(p.current().host)
        }
        expect(seen).toEqual(["a", "b", "c", "a", "b"])
    })

    test("a stable connection that ends sends the device back to its first choice", () => {
        const p = picker()
        p.ended(false)
        p.ended(false)
        expect(p.current().host).toBe("c")
        p.ended(true)
        expect(p.current().host).toBe("a")
    })

    test("one broker: every attempt goes to it", () => {
        const p = new BrokerPicker([brokerOf("only", 1883, false)])
        p.ended(false)
        expect(p.current().url).toBe("mqtt://only:1883")
        p.ended(true)
        expect(p.current().url).toBe("mqtt://only:1883")
    })
})
