/**
 * Kernels: one backend's kernel table bound to one shared memory. This is the face of the
 * kernel layer: `await Kernels.create()`, allocate on `kernels.memory`, call `kernels.dot(...)`
 * (checked) or `kernels.raw.dot(...)` (unchecked, for hot loops that validated once), and swap
 * any kernel with `kernels.override(name, impl)`.
 */
import { checkOptions } from "../validate.js";
import { ArgumentError, BackendUnavailableError } from "../errors.js";
import { SharedMemory, type MemoryOptions } from "../memory/shared-memory.js";
import { supportsSharedMemory, supportsSimd } from "./detect.js";
import { createJsKernels } from "./js/index.js";
import { KERNEL_NAMES, KERNEL_SPECS, type KernelFn, type KernelName, type KernelTable } from "./signatures.js";
import { checkedTable } from "./validate.js";
import { instantiateKernels, kernelModule } from "./wasm.js";
import type { WasmMemory, WasmModule } from "../types/wasm.js";

/** The kernel backends, fastest first: SIMD WebAssembly, scalar WebAssembly, plain TypeScript. */
export const BACKENDS = ["wasm-simd", "wasm-scalar", "js"] as const;
/** A kernel backend's name. */
export type BackendName = (typeof BACKENDS)[number];

/** Options of `Kernels.create()`: the backend and the size of the shared memory. */
export interface KernelsOptions {
  /**
   * Which backend to run: 'auto' (the default) picks wasm-simd where SIMD validates, else
   * wasm-scalar, else js. The WEFT_BACKEND environment variable, when set, replaces 'auto'.
   */
  backend?: BackendName | "auto";
  /** Size of the shared memory: initial and maximum bytes. */
  memory?: MemoryOptions;
}

/** The best backend this platform supports. */
export function detectBackend(): BackendName {
  if (typeof WebAssembly !== "object" || !supportsSharedMemory()) return "js";
  return supportsSimd() ? "wasm-simd" : "wasm-scalar";
}

/** Resolves 'auto' (or nothing) to a concrete backend, honouring WEFT_BACKEND. */
export function resolveBackend(requested: BackendName | "auto" | undefined): BackendName {
  const fromEnv = typeof process === "object" ? process.env.WEFT_BACKEND : undefined;
  const choice = requested === undefined || requested === "auto" ? fromEnv || "auto" : requested;
  if (choice === "auto") return detectBackend();
  if (!(BACKENDS as readonly string[]).includes(choice)) {
    const source = requested === undefined || requested === "auto" ? "WEFT_BACKEND" : "backend";
    throw new ArgumentError(source, `one of auto, ${BACKENDS.join(", ")}`, choice);
  }
  return choice as BackendName;
}

// Declaration merging: a Kernels instance has every checked kernel as a method.
export interface Kernels extends KernelTable {}

/**
 * One kernel backend bound to one shared memory: every kernel of KERNEL_SPECS as a checked method
 * (pointers and lengths validated), `raw` for unchecked calls, and `override()` to swap one kernel
 * in this thread. Make one with `Kernels.create()`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface of the same name declares the kernel methods create() installs from KERNEL_SPECS
export class Kernels {
  /** The backend whose kernels `raw` holds (overrides aside). */
  readonly backend: BackendName;
  /** The shared memory every pointer argument addresses. */
  readonly memory: SharedMemory;
  /** Unchecked kernels: no validation at all. Reflects overrides. */
  readonly raw: KernelTable;
  private readonly original: KernelTable;
  private readonly overrides = new Set<KernelName>();

  private constructor(backend: BackendName, memory: SharedMemory, table: KernelTable) {
    this.backend = backend;
    this.memory = memory;
    this.original = table;
    this.raw = { ...table };
    Object.assign(
      this,
      checkedTable(KERNEL_SPECS, () => this.raw, memory),
    );
  }

  /** Creates the shared memory and instantiates the chosen backend's kernels on it. */
  static async create(options?: KernelsOptions): Promise<Kernels> {
    options = checkOptions(options ?? undefined, "Kernels.create");
    const backend = resolveBackend(options.backend);
    if (backend !== "js" && !supportsSharedMemory()) {
      throw new BackendUnavailableError(`backend ${backend} needs shared WebAssembly memory, which this platform lacks`);
    }
    if (backend === "wasm-simd" && !supportsSimd()) {
      throw new BackendUnavailableError("backend wasm-simd needs WebAssembly SIMD, which this platform lacks; use wasm-scalar");
    }
    const memory = new SharedMemory(options.memory);
    if (backend === "js") {
      memory.setHeapBase(64); // address 0 stays unused, so it never names real data
      return new Kernels(backend, memory, createJsKernels(memory));
    }
    const module = await kernelModule(backend === "wasm-simd" ? "simd" : "scalar");
    const { table, heapBase } = instantiateKernels(module, memory.memory);
    memory.setHeapBase(heapBase);
    return new Kernels(backend, memory, table);
  }

  /**
   * The same backend on another thread (a worker): instantiates `module` (the compiled kernel
   * module of the owning thread; none for js) against the owner's memory, without a heap of its
   * own. The owner's heap base is passed along so nothing is ever placed below it.
   */
  static attach(options: { backend: BackendName; memory: WasmMemory; maximumBytes: number; module?: WasmModule }): Kernels {
    const memory = SharedMemory.attach(options.memory, options.maximumBytes);
    if (options.backend === "js") return new Kernels("js", memory, createJsKernels(memory));
    if (!options.module)
      throw new ArgumentError("module", `the compiled ${options.backend} kernel module`, options.module, "Kernels.attach");
    const { table } = instantiateKernels(options.module, options.memory);
    return new Kernels(options.backend, memory, table);
  }

  /** The compiled module behind this backend (what workers instantiate), or undefined for js. */
  static module(backend: BackendName): Promise<WasmModule> | undefined {
    return backend === "js" ? undefined : kernelModule(backend === "wasm-simd" ? "simd" : "scalar");
  }

  /**
   * Replaces one kernel of this instance with `impl`, which must have the registered signature
   * (see KERNEL_SPECS[name]). Checked calls still validate before calling it. This is how a
   * platform swaps in a faster kernel; `restore(name)` brings the backend's own back.
   */
  override<K extends KernelName>(name: K, impl: KernelFn<K>): void {
    if (!(KERNEL_NAMES as string[]).includes(name)) {
      throw new ArgumentError("name", `a registered kernel (${KERNEL_NAMES.join(", ")})`, name, "override");
    }
    if (typeof impl !== "function") throw new ArgumentError("impl", "a function", impl, `override ${name}`);
    (this.raw as Record<KernelName, unknown>)[name] = impl;
    this.overrides.add(name);
  }

  /** Undoes override(name). */
  restore(name: KernelName): void {
    (this.raw as Record<KernelName, unknown>)[name] = this.original[name];
    this.overrides.delete(name);
  }

  /** The kernels currently overridden. */
  overridden(): KernelName[] {
    return [...this.overrides];
  }
}
