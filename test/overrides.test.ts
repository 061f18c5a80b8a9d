/** Runtime-wide kernel overrides: every thread runs the replacement; bad overrides fail at start. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ArgumentError, Runtime, array, compile, Graph } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "weft-overrides-"));
// "exp" that doubles instead: a result no backend's exp gives, so a thread that ran the original shows
const module = join(dir, "double.mjs");
writeFileSync(
  module,
  `export function exp(kernels) {
  return (n, x, out) => { const h = kernels.memory.f64; for (let i = 0; i < n; i++) h[(out >> 3) + i] = 2 * h[(x >> 3) + i]; };
}
export const notAFactory = 3;
`,
);

describe("kernelOverrides", () => {
  it("replaces the kernel on the calling thread and on every worker", async () => {
    const rt = await Runtime.start({ threads: 3, kernelOverrides: { exp: module } });
    try {
      expect(rt.kernels.overridden()).toEqual(["exp"]);
      const x = array.arange(40_000, { chunks: 1_000 });
      const y = x.exp();
      // unfused: one exp task per chunk, spread over the threads
      const plan = compile(new Graph([y.layer]), y.layer.keys(), { fusion: "none" });
      rt.clearProfile();
      const chunks = (await rt.run(plan)) as Float64Array[];
      const lanes = new Set(
        rt
          .profile()
          .events.filter((e) => e.label === "exp" || e.label.includes("unary"))
          .map((e) => e.lane),
      );
      const values = chunks.flatMap((c) => [...c]);
      expect(values).toEqual(Array.from({ length: 40_000 }, (_, i) => 2 * i));
      expect(lanes.size).toBeGreaterThan(1);
    } finally {
      await rt.close();
    }
  });

  it("accepts { module, exportName } and file URLs", async () => {
    const rt = await Runtime.start({ threads: 2, kernelOverrides: { log: { module: pathToFileURL(module).href, exportName: "exp" } } });
    try {
      expect(rt.kernels.overridden()).toEqual(["log"]);
      expect([...((await array.fromTypedArray([1, 2, 3]).log().compute({ runtime: rt })) as Float64Array)]).toEqual([2, 4, 6]);
    } finally {
      await rt.close();
    }
  });

  it("fails at start, naming the kernel and what is wrong", async () => {
    await expect(Runtime.start({ threads: 1, kernelOverrides: { expo: module } as never })).rejects.toThrow(
      /kernel names of the registry .*received "expo"/,
    );
    await expect(Runtime.start({ threads: 1, kernelOverrides: { exp: join(dir, "missing.mjs") } })).rejects.toThrow(ArgumentError);
    await expect(Runtime.start({ threads: 1, kernelOverrides: { exp: { module, exportName: "notAFactory" } } })).rejects.toThrow(
      /kernelOverrides.exp.*factory function 'notAFactory'/,
    );
    await expect(Runtime.start({ threads: 1, kernelOverrides: { exp: "" } })).rejects.toThrow(/kernelOverrides.exp/);
  });
});
