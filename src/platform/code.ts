/**
 * Where weft's own code is: the kernel modules' bytes, the worker entry, and the URLs workers
 * import modules from. A browser build replaces this file (fetch instead of readFile). Threads,
 * files and streams are in threads.ts, files.ts and streams.ts.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Which compiled kernel module: the SIMD build or the scalar one. */
export type WasmVariant = "simd" | "scalar";

/**
 * Location of a compiled kernel module: build/ at the package root, which is two levels above
 * this file when it runs from src/ (tests) and three when it runs from dist/src/ (compiled).
 */
export function wasmPath(variant: WasmVariant): string {
  const candidates = ["../../", "../../../"].map((up) => fileURLToPath(new URL(`${up}build/weft-${variant}.wasm`, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

export async function readWasm(variant: WasmVariant): Promise<Uint8Array> {
  return new Uint8Array(await readFile(wasmPath(variant)));
}

/**
 * The compiled worker entry (dist/src/scheduler/worker.js): workers run plain JS even when the
 * main thread runs the TypeScript sources (tests), because Node 20 cannot start a worker from
 * a .ts file.
 */
export function workerPath(): string {
  const candidates = ["../scheduler/worker.js", "../../dist/src/scheduler/worker.js"].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  return candidates.find((path) => existsSync(path)) ?? candidates[1]!;
}

/**
 * The URL workers import for a module of weft's own (given its import.meta.url): the module
 * itself when it runs compiled, its compiled twin under dist/ when it runs from the TypeScript
 * sources (tests), since workers run compiled JS.
 */
export function workerModuleUrl(moduleUrl: string): string {
  if (!moduleUrl.endsWith(".ts")) return moduleUrl;
  const path = fileURLToPath(moduleUrl);
  const marker = `${sep}src${sep}`;
  const at = path.lastIndexOf(marker);
  if (at < 0) return moduleUrl;
  const compiled = `${path.slice(0, at)}${sep}dist${path.slice(at).replace(/\.ts$/, ".js")}`;
  return pathToFileURL(compiled).href;
}

/**
 * The URL to import a module given as a path or a URL (an op's or a kernel override's module):
 * URLs as they are, paths (Windows drive letters included) as file:// URLs.
 */
export function importableUrl(pathOrUrl: string): string {
  const isUrl = /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) && !/^[a-z]:[\\/]/i.test(pathOrUrl);
  return isUrl ? pathOrUrl : pathToFileURL(pathOrUrl).href;
}
