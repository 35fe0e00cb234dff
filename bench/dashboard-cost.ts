/**
 * `npm run bench:dashboard`: what the web dashboard costs. Runs `npm start -- --devices N
 * --duration S` twice, once with `--no-dashboard` and once with the dashboard open in headless
 * Chromium, and samples the simulator's main Node process (not the device VMs, which are their own
 * processes) every second from /proc: CPU time and resident memory; and the browser's CPU and
 * proportional memory (PSS) over all its processes. Linux only.
 *
 *   npm run bench:dashboard                    20 devices, 60 s each run
 *   npm run bench:dashboard -- --devices 5 --duration 30
 */
import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { PROJECT_DIR } from "../host-sim/simulation.ts"
import { launchChromium } from "../host-sim/dashboard/chromium.ts"
import { CliProcess } from "../host-sim/cli/cli-process.ts"

const CLI = join(PROJECT_DIR, "host-sim", "cli.ts")
const TICKS_PER_S = 100 // USER_HZ on Linux
const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name)
    return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const DEVICES = arg("--devices", 20)
const DURATION_S = arg("--duration", 60)

function cpuTicks(pid: number): number {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return Number(f[11]) + Number(f[12]) // utime, stime
}
function rssMiB(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m ? Number(m[1]) / 1024 : 0
}
/** Proportional set size: shared pages split between the processes sharing them (Chromium's many processes). */
function pssMiB(pid: number): number {
    const m = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))
    return m ? Number(m[1]) / 1024 : 0
}
/** pid and every descendant. */
function tree(root: number): number[] {
    const parent = new Map<number, number>()
    for (const d of readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue
        try {
            parent.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1].split(" ")[1]))
        } catch {
            // gone meanwhile
        }
    }
    const out = [root]
    for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p)
    return out
}
const sum = (pids: number[], f: (p: number) => number) =>
    pids.reduce((a, p) => {
        try {
            return a + f(p)
        } catch {
            return a
        }
    }, 0)

interface Sample {
    cpuPct: number
    browserCpuPct: number
    rssMiB: number
    browserRssMiB: number
}

async function measure(withDashboard: boolean): Promise<Sample[]> {
    const args = ["--devices", String(DEVICES), "--period", "1000", "--duration", String(DURATION_S), "--view", "lines"]
    const cli = new CliProcess(CLI, withDashboard ? args : [...args, "--no-dashboard"], PROJECT_DIR)
    await cli.waitFor(/running for/, 120_000)
    const pid = cli.child.pid!
    const browser = withDashboard ? await launchChromium() : undefined
    if (browser) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
        await page.goto(/dashboard: (\S+)/.exec(cli.output)![1])
    }
    // Chromium runs as this process's child; its helpers are its descendants.
    const browserPids = () =>
        browser
            ? tree(process.pid).filter(
                  p =>
                      p !== process.pid &&
                      !tree(pid).includes(p) &&
                      /chrom/i.test(readFileSync(`/proc/${p}/cmdline`, "utf8")),
              )
            : []
    const samples: Sample[] = []
    let last = cpuTicks(pid)
    let lastBrowser = 0
    const timer = setInterval(() => {
        try {
            const now = cpuTicks(pid)
            const pids = browserPids()
            const browserNow = sum(pids, cpuTicks)
            samples.push({
                cpuPct: ((now - last) / TICKS_PER_S) * 100,
                rssMiB: rssMiB(pid),
                browserCpuPct: lastBrowser ? ((browserNow - lastBrowser) / TICKS_PER_S) * 100 : 0,
                browserRssMiB: sum(pids, pssMiB),
            })
            last = now
            lastBrowser = browserNow
        } catch {
            // the simulator is exiting
        }
    }, 1000)
    await cli.exited
    clearInterval(timer)
    await browser?.close()
    console.log(
        `${withDashboard ? "with" : "without"} the dashboard: ${/done: .*/.exec(cli.output)?.[0] ?? cli.output.slice(-500)}`,
    )
    return samples.slice(5) // the first seconds are the devices booting
}

function summary(label: string, s: Sample[]) {
    const avg = (f: (x: Sample) => number) => s.reduce((a, x) => a + f(x), 0) / s.length
    const max = (f: (x: Sample) => number) => Math.max(...s.map(f))
    return (
        `${label.padEnd(26)} CPU avg ${avg(x => x.cpuPct).toFixed(1)} % (max ${max(x => x.cpuPct).toFixed(0)} %), RSS avg ${avg(x => x.rssMiB).toFixed(0)} MiB (max ${max(x => x.rssMiB).toFixed(0)})` +
        (s[0]?.browserRssMiB
            ? `; Chromium (all processes) CPU avg ${avg(x => x.browserCpuPct).toFixed(1)} %, PSS ${avg(x => x.browserRssMiB).toFixed(0)} MiB`
            : "")
    )
}

const without = await measure(false)
const withDash = await measure(true)
console.log(`${DEVICES} devices, 1 reading/s each, ${DURATION_S} s per run, main Node process of npm start:`)
console.log(summary("--no-dashboard", without))
console.log(summary("dashboard + page open", withDash))
