/**
 * The wasm-simd and wasm-scalar backends: the AssemblyScript kernel module, compiled once per
 * process and instantiated against the runtime's shared memory. Its exports are the kernel
 * table itself (no JS wrapper on the hot path).
 */
import { BackendUnavailableError } from "../errors.js";
import { readWasm, wasmPath, type WasmVariant } from "../platform/code.js";
import type { WasmMemory, WasmModule } from "../types/wasm.js";
import { GEMM_SCRATCH_ELEMENTS, KERNEL_NAMES, type KernelTable } from "./signatures.js";

const compiled = new Map<WasmVariant, Promise<WebAssembly.Module>>();

/** The compiled kernel module (cached): workers instantiate this same module on the same memory. */
export function kernelModule(variant: WasmVariant): Promise<WasmModule> {
  let module = compiled.get(variant);
  if (!module) {
    module = readWasm(variant).then(
      (bytes) => WebAssembly.compile(bytes),
      (cause: unknown) => {
        throw new BackendUnavailableError(`the ${variant} kernel module is missing at ${wasmPath(variant)}: run 'npm run build:wasm'`, {
          cause,
        });
      },
    );
    compiled.set(variant, module);
    module.catch(() => compiled.delete(variant));
  }
  return module;
}

export interface WasmInstance {
  table: KernelTable;
  heapBase: number;
}

/** Instantiates the module on `memory` and checks that it exports every registered kernel. */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): WasmInstance {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as Record<string, unknown>;
  const missing = KERNEL_NAMES.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new BackendUnavailableError(`the kernel module lacks ${missing.join(", ")}: rebuild it with 'npm run build:wasm'`);
  }
  const scratch = (exports.gemmScratchElements as () => number)();
  if (scratch !== GEMM_SCRATCH_ELEMENTS) {
    throw new BackendUnavailableError(
      `the kernel module's gemm scratch (${scratch} elements) does not match the registry (${GEMM_SCRATCH_ELEMENTS}): rebuild it`,
    );
  }
  const table = Object.fromEntries(KERNEL_NAMES.map((name) => [name, exports[name]])) as KernelTable;
  return { table, heapBase: (exports.heapBase as () => number)() >>> 0 };
}
