import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Kernel suites allocate large shared memories; a thread per file keeps them apart.
    pool: "threads",
  },
});
