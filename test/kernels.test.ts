/**
 * Every registered kernel of every wasm backend against the js reference: awkward sizes,
 * padded leading dimensions, pointers off 16-byte alignment, and a second round with NaN,
 * infinities, signed zeros and subnormals in the inputs. Guards around every buffer catch any
 * write outside it; inputs must come back unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KernelName } from "../src/index.js";
import { Kernels, KERNEL_NAMES, KERNEL_SPECS } from "../src/kernels/index.js";
import { kernelDisagreements, NAN_FAMILIES } from "./helpers/conformance.js";

const MEMORY = { initial: 64 * 1024 * 1024, maximum: 1024 * 1024 * 1024 };

let reference: Kernels;
const subjects: Partial<Record<"wasm-simd" | "wasm-scalar", Kernels>> = {};

beforeAll(async () => {
  reference = await Kernels.create({ backend: "js", memory: MEMORY });
  subjects["wasm-simd"] = await Kernels.create({ backend: "wasm-simd", memory: MEMORY });
  subjects["wasm-scalar"] = await Kernels.create({ backend: "wasm-scalar", memory: MEMORY });
});

function check(name: KernelName, backend: "wasm-simd" | "wasm-scalar", specials: boolean): void {
  expect(kernelDisagreements(reference, subjects[backend]!, backend, name, KERNEL_SPECS[name], specials)).toEqual([]);
}

describe.each(KERNEL_NAMES)("%s", (name) => {
  it.each(["wasm-simd", "wasm-scalar"] as const)("%s matches the js reference", (backend) => {
    check(name, backend, false);
  });
  if (NAN_FAMILIES.has(KERNEL_SPECS[name].family)) {
    it.each(["wasm-simd", "wasm-scalar"] as const)("%s propagates NaN and infinities like the reference", (backend) => {
      check(name, backend, true);
    });
  }
});

describe("min and max reductions", () => {
  // The SIMD loop settles ties between +0 and -0 and NaN on the side; random specials rarely
  // reach those branches (a NaN or a positive value decides first), so they get their own test.
  const pools: Record<string, number[]> = {
    "signed zeros and negatives": [0, -0, -1, -2.5],
    "signed zeros and positives": [0, -0, 1, 2.5],
    "signed zeros only": [0, -0],
    "a rare NaN": [0, -0, -1, 1, 0, -0, 0, -0, NaN],
    infinities: [Infinity, -Infinity, 0, -0, 3],
  };
  it.each(["js", "wasm-simd", "wasm-scalar"] as const)(
    "%s: like Math.min and Math.max, at every length and position, float64 and float32",
    (backend) => {
      const k = backend === "js" ? reference : subjects[backend]!;
      let seed = 12345;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      for (const [label, pool] of Object.entries(pools)) {
        for (let n = 1; n <= 40; n++) {
          for (let trial = 0; trial < 8; trial++) {
            const values = Array.from({ length: n }, () => pool[Math.floor(random() * pool.length)]!);
            const a = k.memory.allocF64(n + 1);
            a.f64().set(values, trial & 1); // odd trials start off 16-byte alignment
            const at = a.ptr + 8 * (trial & 1);
            const got = [k.raw.min(n, at), k.raw.max(n, at)];
            a.free();
            const want = [Math.min(...values), Math.max(...values)];
            expect(
              Object.is(got[0], want[0]) && Object.is(got[1], want[1]),
              `${label}, [${values.map((v) => (Object.is(v, -0) ? "-0" : String(v))).join(", ")}]: min/max ${got[0]}/${got[1]}, want ${want[0]}/${want[1]}`,
            ).toBe(true);
            // the same values stored as float32, at every 4-byte offset of a 16-byte line
            const b = k.memory.allocF64(Math.ceil(n / 2) + 2);
            const shift = trial & 3;
            new Float32Array(b.f64().buffer, b.ptr, 2 * (Math.ceil(n / 2) + 2)).set(values, shift);
            const at32 = b.ptr + 4 * shift;
            const got32 = [k.raw.minF32(n, at32), k.raw.maxF32(n, at32)];
            b.free();
            expect(
              Object.is(got32[0], want[0]) && Object.is(got32[1], want[1]),
              `float32 ${label}, [${values.map((v) => (Object.is(v, -0) ? "-0" : String(v))).join(", ")}]: min/max ${got32[0]}/${got32[1]}`,
            ).toBe(true);
          }
        }
      }
    },
  );
});

describe("kernel registry", () => {
  it("every backend leaves no allocation behind after the suite's calls", () => {
    for (const k of [reference, subjects["wasm-simd"]!, subjects["wasm-scalar"]!]) {
      expect(k.memory.stats().liveBlocks).toBe(0);
    }
  });
});

afterAll(() => {
  // memories are released with the worker; nothing to close at this layer
});
