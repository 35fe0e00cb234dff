/**
 * Debian's Chromium driven by playwright-core (no browser download): headless,
 * no sandbox when running as root (CI), no background networking. `.ci/run`
 * installs the `chromium` package; tests skip when no binary is found, except under CI=true
 * (required.ts). playwright-core is loaded only to launch, so finding the binary costs nothing.
 */
import { existsSync } from "node:fs"
import type { Browser } from "playwright-core"

const CANDIDATES = [
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
]

export function chromiumPath(): string | null {
    if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
    return CANDIDATES.find(p => existsSync(p)) ?? null
}

export async function launchChromium(): Promise<Browser> {
    const executablePath = chromiumPath()
    if (!executablePath) throw new Error("no Chromium (Debian: apt-get install chromium)")
    const { chromium } = await import("playwright-core")
    return chromium.launch({
        executablePath,
        headless: true,
        args: [
            ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ],
    })
}
