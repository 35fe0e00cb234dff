/**
 * The web dashboard in a real browser (Debian's Chromium through playwright-core): `npm start`
 * with two simulated devices serves it, and the fault controls show their effect on the page;
 * `npm run dashboard` serves the same page for whatever devices a broker has, and shows bad input
 * and an unreachable broker as such. Every wait is for something the page shows; no timing is
 * asserted. Set DASHBOARD_SCREENSHOT=docs/dashboard.png to save the page after the outage.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest"
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host-sim/brokers/broker.ts"
import { freePort } from "../../host-sim/brokers/free-port.ts"
import { Observer } from "../../host-sim/ledger/observer.ts"
import { PROJECT_DIR } from "../../host-sim/simulation.ts"
import { chartText, overlaps, RECORD_CANVAS_TEXT } from "../support/chart-text.ts"
import { launchChromium } from "../../host-sim/dashboard/chromium.ts"
import { CliProcess } from "../../host-sim/cli/cli-process.ts"
import { installed } from "../support/required.ts"

const CLI = join(PROJECT_DIR, "host-sim", "cli.ts")
const DASHBOARD = join(PROJECT_DIR, "host-sim", "dashboard", "main.ts")
const QUANTITIES = ["temperature", "humidity", "pressure", "illuminance"]
const WAIT_MS = 60_000
const URL_RE = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/

const processes: CliProcess[] = []
const dirs: string[] = []

/** A fresh project directory: the committed .env.defaults plus this .env.local. */
function projectDir(envLocal = ""): string {
    const dir = mkdtempSync(join(tmpdir(), "devs-dashboard-"))
    dirs.push(dir)
    copyFileSync(join(PROJECT_DIR, ".env.defaults"), join(dir, ".env.defaults"))
    writeFileSync(join(dir, ".env.local"), envLocal)
    return dir
}

function run(script: string, args: string[], cwd: string): CliProcess {
    const p = new CliProcess(script, args, cwd)
    processes.push(p)
    return p
}

const row = (table: string, device: string) => `#${table} tr[data-device="${device}"]`

async function waitOnline(page: Page, device: string, status = "online") {
    await page.waitForSelector(`${row("devices", device)} [data-status="${status}"]`, { timeout: WAIT_MS })
}

/** Every quantity has a chart with points from each device. */
async function waitForCharts(page: Page, devices: string[]) {
    for (const q of QUANTITIES)
        await page.waitForFunction(
            ([q, devices]) => {
                const box = document.querySelector<HTMLElement>(`.chart[data-quantity="${q}"]`)
                const series = JSON.parse(box?.dataset.series ?? "{}")
                return (devices as string[]).every(d => series[d] > 0) && !!box!.querySelector("canvas")
            },
            [q, devices] as const,
            { timeout: WAIT_MS },
        )
}

/** The numbers of a device's ledger row, "dropped" summed over its causes. */
async function ledger(page: Page, device: string) {
    return page.$eval(row("ledger", device), tr => {
        const cell = (f: string) => tr.querySelector(`[data-field="${f}"]`)!.textContent ?? ""
        const dropped = [...cell("dropped").matchAll(/\d+/g)].reduce((a, m) => a + Number(m[0]), 0)
        return {
            received: +cell("received"),
            gaps: +cell("gaps"),
            missing: +cell("missing"),
            dropped,
            unexplained: +cell("unexplained"),
            reboots: +cell("reboots"),
        }
    })
}

const cellNumber = (page: Page, table: string, device: string, field: string) =>
    page.$eval(`${row(table, device)} [data-field="${field}"]`, td => Number(td.textContent))

describe.skipIf(!installed("chromium"))("the dashboard in Chromium", () => {
    let browser: Browser

    beforeAll(async () => {
        browser = await launchChromium()
    })
    afterEach(async () => {
        await Promise.all(processes.splice(0).map(p => p.stop()))
    })
    afterAll(async () => {
        await browser?.close()
        for (const d of dirs) rmSync(d, { recursive: true, force: true })
    })

    test("npm start with two devices: both online, a chart per quantity; a cut network shows offline, then gaps explained by counted drops once restored", async () => {
        // A small offline queue, so that a short cut overflows it and the device drops (and counts) readings.
        const cli = run(
            CLI,
            ["--devices", "2", "--period", "250", "--view", "lines", "--verbose"],
            projectDir("QUEUE_MAX=4\n"),
        )
        const url = (await cli.waitFor(URL_RE, WAIT_MS))[1]
        const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } })
        const pageErrors: string[] = []
        page.on("pageerror", e => pageErrors.push(e.message))
        // The charts' axis labels are drawn on canvas: record them (issue 28, labels that overlapped).
        await page.addInitScript(RECORD_CANVAS_TEXT)
        await page.goto(url)
        await waitOnline(page, "sim1")
        await waitOnline(page, "sim2")
        await waitForCharts(page, ["sim1", "sim2"])
        // Chart titles carry the payload units of the firmware's quantity table, sent in the snapshot.
        const titles = await page.$$eval(".chart h3", hs => hs.map(h => h.textContent))
        expect(titles).toEqual(
            expect.arrayContaining(["humidity (%RH)", "temperature (°C)", "pressure (hPa)", "illuminance (lx)"]),
        )
        const before = await ledger(page, "sim1")

        await page.click(`${row("controls", "sim1")} button[data-fault="cut"]`)
        await waitOnline(page, "sim1", "offline")
        // While sim1 is cut off, sim2 keeps publishing: 16 of its readings are 16 periods of sim1's, more than its queue holds.
        const seq2 = await cellNumber(page, "devices", "sim2", "seq")
        await page.waitForFunction(
            n => Number(document.querySelector('#devices tr[data-device="sim2"] [data-field="seq"]')?.textContent) >= n,
            seq2 + 16,
            { timeout: WAIT_MS },
        )
        await page.click(`${row("controls", "sim1")} button[data-fault="ok"]`)
        await waitOnline(page, "sim1")

        // Counters consistent: every missing reading is one the device counted as dropped.
        await page.waitForFunction(
            () => {
                const tr = document.querySelector('#ledger tr[data-device="sim1"]')
                const cell = (f: string) => tr?.querySelector(`[data-field="${f}"]`)?.textContent ?? ""
                const dropped = [...cell("dropped").matchAll(/\d+/g)].reduce((a, m) => a + Number(m[0]), 0)
                return Number(cell("missing")) > 0 && dropped === Number(cell("missing"))
            },
            undefined,
            { timeout: WAIT_MS },
        )
        const after = await ledger(page, "sim1")
        expect(after.gaps).toBeGreaterThan(before.gaps)
        expect(after.received).toBeGreaterThan(before.received)
        expect(after).toMatchObject({ unexplained: 0, reboots: 0 })
        expect(await ledger(page, "sim2")).toMatchObject({ gaps: 0, missing: 0, unexplained: 0 })
        await page.waitForFunction(
            () =>
                Number(
                    document.querySelector('#diagnostics tr[data-device="sim1"] [data-field="reconnects"]')
                        ?.textContent,
                ) >= 1,
            undefined,
            { timeout: WAIT_MS },
        )
        const events = await page.$$eval("#events li", lis => lis.map(li => li.textContent ?? ""))
        expect(events.some(e => /sim1 offline: offline: its Will/.test(e))).toBe(true)
        expect(events.some(e => /sim1 control: sim1: network cut/.test(e))).toBe(true)
        expect(pageErrors).toEqual([])
        const charts = await chartText(page)
        expect(charts.every(c => c.boxes.length > 0)).toBe(true)
        expect(overlaps(charts)).toEqual([])
        // Every device log line is printed with --verbose: no VM panicked or threw.
        expect(cli.output.split("\n").filter(l => /^\s*\[sim\d\].*(PANIC|Exception)/.test(l))).toEqual([])
        if (process.env.DASHBOARD_SCREENSHOT)
            await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true })
        await page.close()
    }, 180_000)

    describe("npm run dashboard against a broker, the simulator beside it", () => {
        let broker: EmbeddedBroker
        let publisher: Observer

        beforeAll(async () => {
            broker = await startEmbeddedBroker()
            publisher = new Observer(broker.url, "nothing/here")
            await publisher.start()
        })
        afterAll(async () => {
            await publisher?.stop()
            await broker?.close()
        })

        test("shows the simulator's devices and charts, sends the period downlink, and shows bad input as such", async () => {
            run(
                CLI,
                ["--broker", broker.url, "--devices", "2", "--period", "500", "--view", "lines", "--no-dashboard"],
                projectDir(),
            )
            const dash = run(DASHBOARD, ["--broker", broker.url], projectDir())
            const url = (await dash.waitFor(URL_RE, WAIT_MS))[1]
            const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } })
            await page.goto(url)
            await waitOnline(page, "sim1")
            await waitOnline(page, "sim2")
            await waitForCharts(page, ["sim1", "sim2"])
            expect(await page.textContent("#mode")).toBe("broker only")
            expect(await page.isHidden("#controls-section")).toBe(true)

            await page.selectOption("#period-device", "sim2")
            await page.fill("#period-ms", "1000")
            await page.click("#period-form button")
            await page.waitForSelector('#events li:has-text("sim2 downlink: answer: period_ms set to 1000")', {
                timeout: WAIT_MS,
            })

            await publisher.publish("devs/sim1/telemetry", "not json {")
            await publisher.publish("devs/sim1/extra/topic", "?")
            await page.waitForSelector('#events li:has-text("telemetry is not a JSON object")', { timeout: WAIT_MS })
            await page.waitForSelector('#unknown td:has-text("devs/sim1/extra/topic")', { timeout: WAIT_MS })
            expect(await cellNumber(page, "devices", "sim1", "bad-input")).toBe(1)
            // The page lives on: the devices are still listed and online.
            await waitOnline(page, "sim1")
            await page.close()
        }, 120_000)

        test("a broker that cannot be reached is shown on the page with its reason, and the server keeps running", async () => {
            const port = await freePort()
            const dash = run(DASHBOARD, ["--broker", `mqtt://127.0.0.1:${port}`], projectDir())
            const url = (await dash.waitFor(URL_RE, WAIT_MS))[1]
            await dash.waitFor(
                /^error: cannot connect to the broker at mqtt:\/\/127\.0\.0\.1:\d+: connection refused/m,
                WAIT_MS,
            )
            const page = await browser.newPage()
            await page.goto(url)
            await page.waitForSelector('#broker[data-state="unreachable"]', { timeout: WAIT_MS })
            expect(await page.textContent("#broker")).toMatch(/connection refused/)
            expect(await page.isVisible("#no-devices")).toBe(true)
            expect(dash.child.exitCode).toBe(null)
            await page.close()
        }, 60_000)
    })
})
