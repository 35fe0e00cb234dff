/**
 * A throwaway certificate authority and a server certificate for localhost /
 * 127.0.0.1, made with the openssl CLI. The simulator's VM trusts the CA
 * through NODE_EXTRA_CA_CERTS; TLS verification is never switched off.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface TestCa {
    dir: string
    caFile: string
    key: Buffer
    cert: Buffer
    remove(): void
}

export function makeTestCa(): TestCa {
    const dir = mkdtempSync(join(tmpdir(), "devs-ca-"))
    const f = (n: string) => join(dir, n)
    const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" })
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=devs test CA", "-keyout", f("ca.key"), "-out", f("ca.pem"))
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", f("server.key"), "-out", f("server.csr"))
    writeFileSync(f("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("ext.cnf"), "-out", f("server.pem"))
    return {
        dir,
        caFile: f("ca.pem"),
        key: readFileSync(f("server.key")),
        cert: readFileSync(f("server.pem")),
        remove: () => rmSync(dir, { recursive: true, force: true }),
    }
}
