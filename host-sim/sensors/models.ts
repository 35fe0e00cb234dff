/**
 * Plausible, smoothly varying sensor values: a slow sine around a base value
 * plus low-pass filtered noise, from a seeded generator so runs are repeatable.
 */
export interface QuantityModel {
    name: string
    base: number
    amplitude: number
    periodS: number
    noise: number
    min: number
    max: number
}

export const MODELS: Record<string, QuantityModel> = {
    temperature: { name: "temperature", base: 21.5, amplitude: 1.5, periodS: 600, noise: 0.05, min: -40, max: 85 },
    humidity: { name: "humidity", base: 45, amplitude: 8, periodS: 900, noise: 0.3, min: 0, max: 100 },
    pressure: { name: "pressure", base: 1013.25, amplitude: 2, periodS: 1800, noise: 0.05, min: 300, max: 1100 },
    // Light follows a (compressed) day: 0 lx at night, a few hundred indoors at noon.
    illuminance: { name: "illuminance", base: 200, amplitude: 220, periodS: 1200, noise: 3, min: 0, max: 100000 },
    // CO2 rises with occupancy: 420 ppm outdoors-like air up to ~1200 ppm in a full room.
    co2: { name: "co2", base: 800, amplitude: 380, periodS: 900, noise: 8, min: 400, max: 5000 },
}

/** mulberry32: tiny seeded PRNG. */
export function prng(seed: number): () => number {
    let a = seed >>> 0
    return () => {
        a = (a + 0x6d2b79f5) >>> 0
        let t = a
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
}

export class SmoothSignal {
    private drift = 0
    private readonly rand: () => number
    private readonly phase: number

    constructor(
        private readonly model: QuantityModel,
        seed: number,
    ) {
        this.rand = prng(seed)
        this.phase = this.rand() * 2 * Math.PI
    }

    /** Value at `tS` seconds since start; call with increasing times. */
    at(tS: number): number {
        const m = this.model
        // Exponentially filtered noise: smooth, bounded random walk.
        this.drift = 0.9 * this.drift + (this.rand() - 0.5) * 2 * m.noise
        const v = m.base + m.amplitude * Math.sin(this.phase + (2 * Math.PI * tS) / m.periodS) + this.drift
        return Math.min(m.max, Math.max(m.min, v))
    }
}
