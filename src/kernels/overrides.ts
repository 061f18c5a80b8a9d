/**
 * Kernel overrides for a whole runtime. `kernels.override(name, impl)` swaps a kernel in one
 * thread; a runtime's workers are other threads, each with its own instance of the kernels, so
 * a runtime-wide swap names a module every thread can import. The module exports a factory
 * (by default under the kernel's name) that receives that thread's Kernels and returns the
 * implementation, with the kernel's registered signature (KERNEL_SPECS[name]):
 *
 *   // fast-exp.mjs
 *   export function exp(kernels) {
 *     return (n, x, out) => { const h = kernels.memory.f64; for (let i = 0; i < n; i++) h[(out >> 3) + i] = Math.exp(h[(x >> 3) + i]); };
 *   }
 *
 *   await Runtime.start({ kernelOverrides: { exp: new URL("./fast-exp.mjs", import.meta.url).href } });
 */
import { importableUrl } from "../platform/code.js";
import { ArgumentError } from "../errors.js";
import type { Kernels } from "./kernels.js";
import { KERNEL_NAMES, type KernelName } from "./signatures.js";

/** Where a replacement kernel comes from: a module path or URL, and the factory's export name. */
export interface KernelOverride {
  module: string;
  /** The export that makes the kernel (default: the kernel's name). */
  exportName?: string;
}

/** Replacement kernels by kernel name: a module (path or URL), or { module, exportName }. */
export type KernelOverrides = Readonly<Partial<Record<KernelName, string | KernelOverride>>>;

/** An override checked and made absolute, as threads receive it. */
export interface ResolvedOverride {
  name: KernelName;
  url: string;
  exportName: string;
}

/** Makes a thread's replacement kernel from its Kernels instance. */
export type KernelFactory = (kernels: Kernels) => unknown;

/** Checks the names and modules of `overrides` and makes every module an absolute URL. */
export function resolveOverrides(overrides: KernelOverrides | undefined): ResolvedOverride[] {
  if (overrides === undefined) return [];
  if (typeof overrides !== "object" || overrides === null)
    throw new ArgumentError("kernelOverrides", "a record of kernel name -> module", overrides, "Runtime.start");
  return Object.entries(overrides).map(([name, spec]) => {
    if (!(KERNEL_NAMES as string[]).includes(name)) {
      throw new ArgumentError("kernelOverrides", `kernel names of the registry (${KERNEL_NAMES.join(", ")})`, name, "Runtime.start");
    }
    const module = typeof spec === "string" ? spec : spec?.module;
    if (typeof module !== "string" || module.length === 0) {
      throw new ArgumentError(`kernelOverrides.${name}`, "a module path or URL, or { module, exportName }", spec, "Runtime.start");
    }
    const exportName = typeof spec === "string" ? name : (spec!.exportName ?? name);
    return { name: name as KernelName, url: importableUrl(module), exportName };
  });
}

/** Imports each override's module and swaps the kernel it makes into `kernels`. */
export async function applyOverrides(kernels: Kernels, overrides: readonly ResolvedOverride[]): Promise<void> {
  for (const o of overrides) {
    let module: Record<string, unknown>;
    try {
      module = (await import(o.url)) as Record<string, unknown>;
    } catch (cause) {
      throw new ArgumentError(
        `kernelOverrides.${o.name}`,
        "a module this thread can import",
        `${o.url} (${cause instanceof Error ? cause.message : String(cause)})`,
        "Runtime.start",
      );
    }
    const factory = module[o.exportName];
    if (typeof factory !== "function") {
      throw new ArgumentError(
        `kernelOverrides.${o.name}`,
        `a module exporting a factory function '${o.exportName}'`,
        o.url,
        "Runtime.start",
      );
    }
    const impl = (factory as KernelFactory)(kernels);
    if (typeof impl !== "function") {
      throw new ArgumentError(
        `kernelOverrides.${o.name}`,
        `a factory '${o.exportName}' that returns the kernel function`,
        impl,
        "Runtime.start",
      );
    }
    kernels.override(o.name, impl as never);
  }
}
