/**
 * Where worker threads find the benchmark's ops: bench/ops.js next to this file when it runs
 * compiled (bench/dist/), or bench/dist/ops.js when it runs from the TypeScript sources (tests),
 * since workers run compiled JS.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function compiledModule(name: string): string {
  for (const candidate of [`./${name}.js`, `./dist/${name}.js`]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return new URL(`./${name}.js`, import.meta.url).href;
}
