/**
 * The broker a host command (`npm run verify`, `npm run time-server`) talks to: --broker, the login
 * and CA from the .env files of the current directory (--ca wins), and the topic prefix
 * (--prefix, else TOPIC_PREFIX). A missing or bad option is a usage error (exit 2).
 */
import { resolve } from "node:path"
import { brokerTarget, loginFromSettings, type BrokerTarget } from "../link/broker-connect.ts"
import { readEnvFiles } from "./env-file.ts"
import { EXIT_USAGE, UserError } from "../../scripts/lib/user-error.ts"

/** The options `cliBroker` reads, for a command's option table (scripts/lib/main.ts parseOptions). */
export const BROKER_OPTIONS = {
    broker: { type: "string" },
    prefix: { type: "string" },
    ca: { type: "string" },
} as const

export function cliBroker(
    o: { broker?: string; ca?: string; prefix?: string },
    usage: string,
): { target: BrokerTarget; prefix: string } {
    if (!o.broker) throw new UserError(`--broker is required\n\n${usage}`, EXIT_USAGE)
    const dir = process.cwd()
    const env = readEnvFiles(dir)
    const prefix = o.prefix ?? String(env.TOPIC_PREFIX ?? "devs")
    try {
        return { target: brokerTarget(o.broker, loginFromSettings(env, dir, o.ca ? resolve(o.ca) : "")), prefix }
    } catch (e) {
        throw new UserError((e as Error).message, EXIT_USAGE)
    }
}
