/** weft's version, read from package.json so that there is one source of truth. */
import { readTextFileSync } from "./platform/files.js";

/** package.json is one level above this file when it runs from src/ (tests), two from dist/src/ (compiled). */
function findVersion(): string {
  for (const up of ["../", "../../"]) {
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

/** The package version, read from package.json. */
export const VERSION = findVersion();
