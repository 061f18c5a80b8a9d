/** What this platform's WebAssembly supports, probed once with tiny modules. */

// (module (func (result v128) v128.const i32x4 0 0 0 0)): validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14,
  0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

let simd: boolean | undefined;
let sharedMemory: boolean | undefined;

/** True when WebAssembly fixed-width SIMD (v128) is available. */
export function supportsSimd(): boolean {
  simd ??= typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  return simd;
}

/** True when a shared WebAssembly.Memory can be created (threads proposal, SharedArrayBuffer). */
export function supportsSharedMemory(): boolean {
  if (sharedMemory === undefined) {
    try {
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      sharedMemory = true;
    } catch {
      sharedMemory = false;
    }
  }
  return sharedMemory;
}
