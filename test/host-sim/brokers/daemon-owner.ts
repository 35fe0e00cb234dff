/** A program that starts a daemon and a private directory, prints both, and waits to be killed (daemon.test.ts). */
import { Daemon, privateDir } from "../../../host-sim/brokers/daemon.ts"

const dir = privateDir("devs-daemon-test-")
const d = new Daemon({
    name: "sleeper",
    command: "sh",
    args: ["-c", "echo ready; exec sleep 300"],
    ready: /ready/,
    readyTimeoutMs: 10_000,
})
await d.start()
console.log(JSON.stringify({ pid: d.pid, dir }))
setInterval(() => {}, 1000)
