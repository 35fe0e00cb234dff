/**
 * The device's flash (the fstor partition: program + settings) across resets of its VM.
 *
 * The WASM VM mallocs `Module.flashSize` bytes of "flash" when it initialises and loads it from
 * `Module.flashLoad()` if set; every flash sync hands the whole image to `Module.flashSave(image)`
 * (CLI bundle `em_flash_size`/`em_flash_load`/`em_flash_save`; ds:runtime/posix/flash.c:48-86).
 * Keeping the last saved image and giving it back on the next boot is what a board does: the
 * program, the settings written by the program and the `.env` keys survive a reset. The image lives
 * in memory, one per device process, so every `npm start` begins with an empty store.
 */
export interface FlashVm {
    flashSize?: number
    flashLoad: (() => Uint8Array) | null
    flashSave: ((buf: Uint8Array) => void) | null
}

export class FlashStore {
    private image: Uint8Array | null = null
    saves = 0

    constructor(
        readonly sizeBytes: number,
        readonly persist: boolean,
    ) {}

    /** The last image the VM saved (null before the first save). */
    get saved(): Uint8Array | null {
        return this.image
    }

    /** Before the VM initialises: its flash size, and the image of the previous boot if any. */
    attach(vm: FlashVm): void {
        vm.flashSize = this.sizeBytes
        if (!this.persist) {
            vm.flashLoad = null
            vm.flashSave = null
            return
        }
        const image = this.image
        vm.flashLoad = image ? () => image : null
        vm.flashSave = buf => {
            this.image = new Uint8Array(buf)
            this.saves++
        }
    }
}
