/**
 * Out of memory while a run is dispatched (the issue "Faults and bad input", item 1): allocating
 * a task's result slot for a worker threw inside the scheduler's pump, outside any handler; the
 * process exited (or, with a global handler, every later compute stayed pending). Now the run
 * rejects with OutOfMemoryError and the runtime goes on computing.
 */
import { describe, expect, it } from "vitest";
import { OutOfMemoryError, Runtime, array } from "../../src/index.js";

describe("out of memory at dispatch", () => {
  it("rejects the compute with OutOfMemoryError, on workers and inline alike, and the runtime computes correctly after", async () => {
    const runtime = await Runtime.start({ threads: 2, memory: { maximum: 256 << 20 } });
    try {
      for (const inline of [false, "auto"] as const) {
        // chunks of 320 MB, over the 256 MiB maximum
        const big = array.random.normal({ shape: [1e8], chunks: 4e7, seed: 1 }).mean();
        await expect(big.compute({ runtime, inline })).rejects.toThrow(OutOfMemoryError);
      }
      expect(await array.ones([1000], { chunks: 100 }).sum().compute({ runtime })).toBe(1000);
      const x = array.arange(10_000, { chunks: 1000 });
      expect(await x.mul(2).sum().compute({ runtime, inline: false })).toBe(99_990_000);
    } finally {
      await runtime.close();
    }
  });
});
