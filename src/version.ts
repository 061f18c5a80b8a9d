/** weft's version, read from package.json so that there is one source of truth. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function findVersion(): string {
  for (const up of ["../", "../../"]) {
    try {
      const path = fileURLToPath(new URL(`${up}package.json`, import.meta.url));
      const pkg = JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "weft" && pkg.version) return pkg.version;
    } catch {
      // not at this level; try the next
    }
  }
  return "unknown";
}

/** The package version, read from package.json. */
export const VERSION = findVersion();
