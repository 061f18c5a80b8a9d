/**
 * weft: a Dask-style task runtime with near-zero scheduling cost.
 *
 * This entry point gathers the public API: the shared memory and the kernels (SIMD WebAssembly,
 * scalar WebAssembly, or plain TypeScript), task graphs and plans, the scheduler and the
 * Runtime that runs them on worker threads, and profiles.
 */
export * from "./errors.js";
export * from "./memory/index.js";
export * from "./kernels/index.js";
export { VERSION } from "./version.js";
export * from "./graph/index.js";
export * from "./profile/index.js";
export * from "./execute/index.js";
export * from "./scheduler/index.js";
export * from "./runtime/index.js";
export * from "./array/index.js";
export * from "./glm/index.js";
export * from "./io/index.js";
export * from "./preprocessing/index.js";
export * from "./model_selection/index.js";
export * from "./random/index.js";
