/**
 * The kernel layer: the registry of kernels (KERNEL_SPECS), three backends that fill it
 * (wasm-simd, wasm-scalar, js), feature detection, and the Kernels object that binds a backend
 * to a shared memory.
 */
export { Kernels, BACKENDS, detectBackend, resolveBackend } from "./kernels.js";
export type { BackendName, KernelsOptions } from "./kernels.js";
export { KERNEL_SPECS, KERNEL_NAMES, GEMM_SCRATCH_ELEMENTS, kernelSpec, extentElements } from "./signatures.js";
export type { KernelName, KernelSpec, KernelTable, KernelFn, ArgSpec, Extent, Accuracy, Dims } from "./signatures.js";
export { supportsSimd, supportsSharedMemory } from "./detect.js";
export { kernelModule, instantiateKernels } from "./wasm.js";
export { createJsKernels } from "./js/index.js";
export { validateCall } from "./validate.js";
export { resolveOverrides, applyOverrides } from "./overrides.js";
export type { KernelOverride, KernelOverrides, ResolvedOverride, KernelFactory } from "./overrides.js";
export type { WasmMemory, WasmModule } from "../types/wasm.js";
