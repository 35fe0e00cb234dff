// Node's view of the two DeviceScript Buffer methods firmware/mqtt/bytes.ts installs for Node
// (u16 and u32, little-endian). The VM has them natively.
declare global {
    interface Buffer {
        getAt(offset: number, format: "u16" | "u32"): number
        setAt(offset: number, format: "u16" | "u32", value: number): void
    }
}
export {}
