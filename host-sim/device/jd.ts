/**
 * jacdac-ts with its types: the package ships typings its "exports" map does
 * not expose, so they are attached here once.
 */
// @ts-expect-error -- the runtime module has no resolvable typings
import * as runtime from "jacdac-ts"
import type * as JD from "../../node_modules/jacdac-ts/dist/types/src/jacdac.d.ts"

export const jd = runtime as typeof JD
export type { JD }
