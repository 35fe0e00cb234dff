/**
 * The boot identity: 48 bits from the runtime's hardware random source, drawn once at start and
 * never written to flash. `(device, boot, seq)` names one reading.
 *
 * Not `Math.random()`: that is a 32-bit xorshift (jacdac-c `jd_random`) whose whole future is fixed
 * by one 32-bit seed (ESP32: `esp_random()` at boot, esp:main/main.c:141; Pico: ROSC bits,
 * pico:src/platform.c:79), so two of its numbers carry at most 32 bits. `Buffer.fillRandom()` reads
 * `jd_crypto_get_random` for every byte: `esp_fill_random` on ESP32 (esp:main/platform.c:103), ROSC
 * bits hashed per word on the Pico (pico:src/platform.c:181), Node's `crypto.randomBytes` in the
 * simulator (ds:runtime/posix/jd_impl_em.c:53). With 48 bits, 10,000 boots of one device collide with
 * a probability of about 2e-7.
 */
export const BOOT_ID_BYTES = 6

export function newBootId(): string {
    const b = Buffer.alloc(BOOT_ID_BYTES)
    ;(b as any).fillRandom()
    return b.toString("hex")
}
