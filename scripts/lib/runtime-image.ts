/**
 * The DeviceScript runtime image a board is flashed or bundled with, made
 * available in the CLI's own cache before the CLI runs, so that an offline
 * machine fails here with one clear message (the CLI would end with a stack
 * trace: `TypeError: fetch failed`).
 *
 * The CLI (flash.ts, `fetchFW`) keeps images in `.devicescript/cache/<file>`
 * and reuses one younger than 24 h; for a custom board it then patches the
 * board config into a copy. Putting an image there is therefore all it takes:
 * downloaded here, or given with `--image` (downloaded on another machine).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs"
import { basename, join } from "node:path"
import type { ArchInfo } from "./boards.ts"
import { UserError } from "./user-error.ts"

/** The CLI refetches a cached image older than this (flash.ts). */
const CACHE_MAX_AGE_MS = 24 * 3600 * 1000
const DOWNLOAD_TIMEOUT_MS = 120_000
/** A runtime image is hundreds of KB; anything tiny is an error page. */
const MIN_IMAGE_BYTES = 1024

/** Base URL of a mirror of the release files, for networks that cannot reach github.com. */
export const MIRROR_ENV = "DEVS_RUNTIME_MIRROR"

export function imageFileName(arch: ArchInfo): string {
    return basename(new URL(arch.runtimeImageUrl).pathname)
}

export function cachePath(projectDir: string, arch: ArchInfo): string {
    return join(projectDir, ".devicescript", "cache", imageFileName(arch))
}

export function imageUrl(arch: ArchInfo, env: NodeJS.ProcessEnv = process.env): string {
    const mirror = env[MIRROR_ENV]
    return mirror ? `${mirror.replace(/\/+$/, "")}/${imageFileName(arch)}` : arch.runtimeImageUrl
}

export async function ensureRuntimeImage(projectDir: string, arch: ArchInfo, givenImage?: string): Promise<string> {
    const dest = cachePath(projectDir, arch)
    mkdirSync(join(projectDir, ".devicescript", "cache"), { recursive: true })
    if (givenImage) {
        if (!existsSync(givenImage)) throw new UserError(`--image ${givenImage}: no such file`, 2)
        if (basename(givenImage) !== imageFileName(arch))
            console.log(
                `note: ${basename(givenImage)} is used as ${imageFileName(arch)} (the bare runtime for this board)`,
            )
        copyFileSync(givenImage, dest) // a fresh mtime: the CLI uses it for 24 h
        console.log(`runtime image: ${givenImage} -> ${dest}`)
        return dest
    }
    if (existsSync(dest) && Date.now() - statSync(dest).mtimeMs < CACHE_MAX_AGE_MS) {
        console.log(`runtime image: using cached ${dest}`)
        return dest
    }
    const url = imageUrl(arch)
    console.log(`runtime image: downloading ${url}`)
    const bytes = await download(url, imageFileName(arch))
    const tmp = `${dest}.part`
    writeFileSync(tmp, bytes)
    renameSync(tmp, dest)
    console.log(`runtime image: saved ${dest} (${bytes.length} bytes)`)
    return dest
}

async function download(url: string, name: string): Promise<Buffer> {
    const hint =
        `Flashing and bundling need the DeviceScript runtime image from GitHub. Offline: download ${name} ` +
        `on another machine and pass it with --image <file>, or set ${MIRROR_ENV} to a mirror of the release files.`
    let res: Response
    try {
        res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) })
    } catch (e) {
        throw new UserError(`cannot download the DeviceScript runtime image ${url}: ${networkReason(e)}. ${hint}`)
    }
    if (res.status !== 200)
        throw new UserError(
            `cannot download the DeviceScript runtime image ${url}: HTTP ${res.status} ${res.statusText}. ${hint}`,
        )
    const bytes = Buffer.from(await res.arrayBuffer())
    if (bytes.length < MIN_IMAGE_BYTES)
        throw new UserError(
            `the runtime image downloaded from ${url} has only ${bytes.length} bytes: not an image. ${hint}`,
        )
    return bytes
}

function networkReason(e: unknown): string {
    const err = e as Error & { cause?: { code?: string; hostname?: string } }
    const code = err.cause?.code
    if (code === "ENOTFOUND" || code === "EAI_AGAIN")
        return `cannot resolve ${err.cause?.hostname ?? "the host"} (no internet access?)`
    if (code === "ECONNREFUSED") return "connection refused"
    if (code === "ECONNRESET") return "connection reset"
    if (err.name === "TimeoutError") return `no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`
    return code ?? err.message
}
