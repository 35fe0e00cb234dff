/**
 * A clean `npm ci` has nothing for a newcomer to wonder about (issue 28): every installed package
 * with an install script is allowed or denied in package.json's `allowScripts` (npm 11 warns about
 * the others and skips their scripts), and the README says which Node.js and npm versions are tested.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { expect, test } from "vitest"

const ROOT = join(import.meta.dirname, "../..")
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"]

/** Every package under node_modules (scoped and nested), by name, with its package.json. */
function installedPackages(dir: string, out = new Map<string, { scripts?: Record<string, string> }>()) {
    if (!existsSync(dir)) return out
    for (const e of readdirSync(dir)) {
        if (e.startsWith(".")) continue
        if (e.startsWith("@")) {
            for (const s of readdirSync(join(dir, e))) visit(join(dir, e, s), `${e}/${s}`, out)
        } else visit(join(dir, e), e, out)
    }
    return out
}

function visit(dir: string, name: string, out: Map<string, { scripts?: Record<string, string> }>) {
    const pj = join(dir, "package.json")
    if (!existsSync(pj)) return
    const pkg = JSON.parse(readFileSync(pj, "utf8"))
    // A binding.gyp without an install script gets npm's implicit `node-gyp rebuild`.
    const scripts = { ...pkg.scripts }
    if (!INSTALL_SCRIPTS.some(s => scripts[s]) && existsSync(join(dir, "binding.gyp"))) scripts.install = "node-gyp"
    out.set(name, { scripts })
    installedPackages(join(dir, "node_modules"), out)
}

test("every installed package with an install script is decided in allowScripts", () => {
    const allow: Record<string, boolean> =
        JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).allowScripts ?? {}
    const withScripts = [...installedPackages(join(ROOT, "node_modules"))]
        .filter(([, p]) => INSTALL_SCRIPTS.some(s => p.scripts?.[s]))
        .map(([name]) => name)
    expect(withScripts.length).toBeGreaterThan(0)
    expect(withScripts.filter(n => !(n in allow))).toEqual([])
})

test("the README names the tested Node.js and npm versions", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8")
    expect(readme).toMatch(/Tested with Node\.js \d+\.\d+\.\d+ and npm \d+\.\d+\.\d+/)
})
