/**
 * Where weft's own code is, in the browser build: the kernel modules and the worker entry sit
 * beside the bundle (dist/browser/), found through `new URL("./file", import.meta.url)` written
 * literally, the pattern Vite and webpack follow to emit the files with a page's assets.
 */
import { scope } from "./globals.js";

export type WasmVariant = "simd" | "scalar";

/** The URL of a compiled kernel module. */
export function wasmPath(variant: WasmVariant): string {
  return (variant === "simd" ? new URL("./weft-simd.wasm", import.meta.url) : new URL("./weft-scalar.wasm", import.meta.url)).href;
}

/** The bytes of a compiled kernel module, fetched. */
export async function readWasm(variant: WasmVariant): Promise<Uint8Array> {
  const response = await scope.fetch(wasmPath(variant));
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${wasmPath(variant)}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The worker entry of the browser build. */
export function workerPath(): string {
  return new URL("./worker.js", import.meta.url).href;
}

/** weft's own ops are in the worker bundle already: the URL only names them. */
export function workerModuleUrl(moduleUrl: string): string {
  return moduleUrl;
}

/** The URL to import a module given as a URL or a path (relative to the page). */
export function importableUrl(pathOrUrl: string): string {
  return new URL(pathOrUrl, scope.location?.href).href;
}
