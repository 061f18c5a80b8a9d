/**
 * weft: a Dask-style task runtime with near-zero scheduling cost.
 *
 * This entry point gathers the public API. Today it offers the foundation: the shared memory
 * and the kernels (SIMD WebAssembly, scalar WebAssembly, or plain TypeScript).
 */
export * from "./errors.js";
export * from "./memory/index.js";
export * from "./kernels/index.js";
export { VERSION } from "./version.js";
export * from "./graph/index.js";
export * from "./profile/index.js";
export * from "./random/index.js";
