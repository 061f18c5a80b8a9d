import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // bench/ imports weft by its package name, as users do: in tests that name means the sources
  resolve: {
    alias: [
      { find: /^weftjs$/, replacement: here("./src/index.ts") },
      { find: /^weftjs\/bench$/, replacement: here("./bench/index.ts") },
      { find: /^weftjs\/(graph|kernels|memory|cluster)$/, replacement: here("./src/$1/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // a stray it.only/describe.only fails the run instead of silently skipping the rest
    allowOnly: false,
    // Kernel suites allocate large shared memories; a thread per file keeps them apart.
    pool: "threads",
  },
});
