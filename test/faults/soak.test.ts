/**
 * Memory over a long session (the issue "Faults and bad input", item 7): 10,000 computes of
 * fresh graphs over fresh `fromTypedArray` inputs and 500 fits, after a warm-up. The profile
 * store kept every run's layout (its task arguments, user arrays included, once) and was capped by
 * events only: 40 computes of 16 MB inputs retained 610 MiB; the key registry kept ~1.9 KB a
 * compute forever. Now the store is capped in bytes and keeps timings and names only, and a
 * layer's keys go with the layer. Checked: shared memory back to its baseline exactly (live
 * blocks and bytes), the key registry no larger than at the start, the JS heap and array
 * buffers within 4 MiB of where they were (the profile's 1 MiB cap, plus V8's own slack).
 */
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { Runtime, array, glm } from "../../src/index.js";
import { registeredNames } from "../../src/graph/keys.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20)); // FinalizationRegistry callbacks run between turns
  }
}

describe("a long session", () => {
  it("10,000 computes and 500 fits leave shared memory, the key registry, the heap and array buffers flat", async () => {
    const rt = await Runtime.start({ threads: 2, profileMaxBytes: 1 << 20 });
    try {
      const compute = async (i: number) => {
        const x = array.fromTypedArray(new Float64Array(20_000).fill(i % 7), { chunks: 2_000 });
        return x.exp().sub(x).sum().compute({ runtime: rt });
      };
      const rows = Array.from({ length: 500 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i), Math.sin(0.7 * i)]);
      const labels = rows.map((r) => (r[0]! + r[1]! > 0.2 ? 1 : 0));
      const fit = (i: number) => new glm.LogisticRegression({ runtime: rt, lambda: 1 + (i % 3) }).fit(rows, labels);
      for (let i = 0; i < 300; i++) await compute(i);
      for (let i = 0; i < 20; i++) await fit(i);
      await settle();
      const before = { memory: rt.memory.stats(), names: registeredNames(), heap: process.memoryUsage() };
      for (let i = 0; i < 10_000; i++) await compute(i);
      for (let i = 0; i < 500; i++) await fit(i);
      await settle();
      const after = { memory: rt.memory.stats(), names: registeredNames(), heap: process.memoryUsage() };
      expect(after.memory.liveBlocks).toBe(before.memory.liveBlocks);
      expect(after.memory.liveBytes).toBe(before.memory.liveBytes);
      expect(after.names).toBeLessThanOrEqual(before.names + 50);
      expect(after.heap.heapUsed - before.heap.heapUsed).toBeLessThan(4 << 20);
      expect(after.heap.arrayBuffers - before.heap.arrayBuffers).toBeLessThan(4 << 20);
      // the answers stayed right all along
      expect(await compute(3)).toBeCloseTo(20_000 * (Math.exp(3) - 3), 3);
    } finally {
      await rt.close();
    }
  });
});
