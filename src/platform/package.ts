/**
 * weft's version, from package.json (one source of truth). A browser build replaces this module
 * with the version written into the bundle when it is built.
 */
import { readTextFileSync } from "./files.js";

/** package.json is two levels above this file when it runs from src/platform (tests), three from dist/src/platform (compiled). */
export function packageVersion(): string {
  for (const up of ["../../", "../../../"]) {
    try {
      const pkg = JSON.parse(readTextFileSync(new URL(`${up}package.json`, import.meta.url))) as {
        bin?: Record<string, string>;
        version?: string;
      };
      // weft's own package.json, known by its command rather than its name (which npm may not give it)
      if (pkg.bin?.weft !== undefined && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not at this level; try the next
    }
  }
  return "unknown";
}
