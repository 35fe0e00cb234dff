/**
 * A throwaway certificate authority and server certificates, made with the
 * openssl CLI. The simulator's VM trusts the CA through NODE_EXTRA_CA_CERTS,
 * the host tools through --ca; TLS verification is never switched off.
 *
 * `issue()` also makes the certificates a broker must not be trusted with: one
 * for another host name, and an expired one.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Long enough for any test run, short enough that a leaked key is soon worthless. */
const VALID_DAYS = "2"

export interface ServerCert {
    certFile: string
    keyFile: string
    key: Buffer
    cert: Buffer
}

export interface IssueOptions {
    /** File name stem, unique within this CA's directory. */
    name: string
    /** subjectAltName entries, e.g. ["DNS:localhost", "IP:127.0.0.1"]. */
    altNames?: string[]
    /** A certificate whose notAfter lies before its notBefore and before now. */
    expired?: boolean
}

export interface TestCa extends ServerCert {
    dir: string
    caFile: string
    /** A server certificate signed by this CA. */
    issue(o: IssueOptions): ServerCert
    remove(): void
}

export const LOCALHOST_NAMES = ["DNS:localhost", "IP:127.0.0.1"]

/** A CA with a server certificate for localhost / 127.0.0.1 (`key`, `cert`). */
export function makeTestCa(commonName = "devs test CA"): TestCa {
    const dir = mkdtempSync(join(tmpdir(), "devs-ca-"))
    // A broker that drops its root privileges (Mosquitto) must still read its certificate and key.
    chmodSync(dir, 0o755)
    const f = (n: string) => join(dir, n)
    const ssl = (...args: string[]) => {
        try {
            return execFileSync("openssl", args, { stdio: "pipe" })
        } catch (e) {
            // No skip for a missing openssl, on CI or not: the TLS tests cannot run without their CA.
            if ((e as NodeJS.ErrnoException).code === "ENOENT")
                throw new Error(
                    "openssl is not installed (Debian: apt-get install openssl): the TLS tests make their CA with it",
                )
            throw e
        }
    }
    ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        VALID_DAYS,
        "-subj",
        `/CN=${commonName}`,
        "-keyout",
        f("ca.key"),
        "-out",
        f("ca.pem"),
    )
    const issue = (o: IssueOptions): ServerCert => {
        const key = f(`${o.name}.key`)
        const cert = f(`${o.name}.pem`)
        const cn = (o.altNames ?? LOCALHOST_NAMES)[0].replace(/^\w+:/, "")
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", key, "-out", f(`${o.name}.csr`))
        writeFileSync(f(`${o.name}.cnf`), `subjectAltName=${(o.altNames ?? LOCALHOST_NAMES).join(",")}\n`)
        // OpenSSL 3.0's x509 has no -not_after; -days -1 gives notAfter = yesterday (notBefore = now).
        const days = o.expired ? "-1" : VALID_DAYS
        ssl(
            "x509",
            "-req",
            "-in",
            f(`${o.name}.csr`),
            "-CA",
            f("ca.pem"),
            "-CAkey",
            f("ca.key"),
            "-CAcreateserial",
            "-days",
            days,
            "-extfile",
            f(`${o.name}.cnf`),
            "-out",
            cert,
        )
        chmodSync(key, 0o644)
        return { certFile: cert, keyFile: key, key: readFileSync(key), cert: readFileSync(cert) }
    }
    return {
        dir,
        caFile: f("ca.pem"),
        ...issue({ name: "server" }),
        issue,
        remove: () => rmSync(dir, { recursive: true, force: true }),
    }
}
