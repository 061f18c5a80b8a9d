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

/**
 * The module weft's own ops are registered with: one name for all of them, which the worker
 * bundle registers them under too, so a worker never imports a module for them. Not the chunk's
 * URL: a page's bundler (Vite, webpack) puts the ops in a chunk of its choosing, and a worker
 * that imported it would run the page's code (which may touch `document`).
 */
export function workerModuleUrl(_moduleUrl: string): string {
  return BUNDLED_OPS;
}

/** The module name of weft's own ops in the browser build. */
export const BUNDLED_OPS = "weft:bundled-ops";

/** The URL to import a module given as a URL or a path (relative to the page). */
export function importableUrl(pathOrUrl: string): string {
  return new URL(pathOrUrl, scope.location?.href).href;
}
