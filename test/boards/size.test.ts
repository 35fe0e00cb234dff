/** scripts/size.ts: function bytes attributed to areas by the compiler's source positions. */
import { describe, expect, test } from "vitest"
import { areaOf, codeByArea } from "../../scripts/size.ts"

describe("npm run size", () => {
    test("areas: firmware folders, the firmware root, DeviceScript packages", () => {
        expect(areaOf("firmware/mqtt/session.ts")).toBe("firmware/mqtt")
        expect(areaOf("firmware/main.ts")).toBe("firmware (root)")
        expect(areaOf("node_modules/@devicescript/core/src/buffer.ts")).toBe("@devicescript/core")
    })

    test("each function counts towards the file its position falls in, largest area first", () => {
        const dbg = {
            sources: [
                { path: "firmware/main.ts", length: 100 },
                { path: "firmware/mqtt/a.ts", length: 50 },
                { path: "node_modules/@devicescript/core/src/x.ts", length: 10 },
            ],
            functions: [
                { name: "main", location: [0, 100] as [number, number], size: 40 },
                { name: "f", location: [100, 10] as [number, number], size: 64 },
                { name: "g", location: [149, 1] as [number, number], size: 8 },
                { name: "h", location: [155, 2] as [number, number], size: 20 },
                { name: "builtin", size: 4 },
            ],
            sizes: {},
        }
        expect(codeByArea(dbg)).toEqual([
            ["firmware/mqtt", 72],
            ["firmware (root)", 40],
            ["@devicescript/core", 20],
            ["(compiler)", 4],
        ])
    })
})
