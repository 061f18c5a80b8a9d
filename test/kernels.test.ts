/**
 * Every registered kernel of every wasm backend against the js reference: awkward sizes,
 * padded leading dimensions, pointers off 16-byte alignment, and a second round with NaN,
 * infinities, signed zeros and subnormals in the inputs. Guards around every buffer catch any
 * write outside it; inputs must come back unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KernelName } from "../src/index.js";
import { Kernels, KERNEL_NAMES, KERNEL_SPECS, type Accuracy } from "../src/kernels/index.js";
import { close, ulpDistance } from "./helpers/compare.js";
import { kernelCases, type KernelCase } from "./helpers/kernel-cases.js";

const GUARD = 4;
const SENTINEL = -12345.6789;
const MEMORY = { initial: 64 * 1024 * 1024, maximum: 1024 * 1024 * 1024 };

let reference: Kernels;
const subjects: Partial<Record<"wasm-simd" | "wasm-scalar", Kernels>> = {};

beforeAll(async () => {
  reference = await Kernels.create({ backend: "js", memory: MEMORY });
  subjects["wasm-simd"] = await Kernels.create({ backend: "wasm-simd", memory: MEMORY });
  subjects["wasm-scalar"] = await Kernels.create({ backend: "wasm-scalar", memory: MEMORY });
});

interface Outcome {
  returned: number | void;
  buffers: Map<number, Float64Array>;
  guardsIntact: boolean;
}

/** Lays the case's buffers out in `k`'s memory, inside guards, calls the kernel, and reads back. */
function run(k: Kernels, name: KernelName, c: KernelCase): Outcome {
  const args = [...c.scalars] as number[];
  const allocations = new Map<number, { alloc: ReturnType<Kernels["memory"]["allocF64"]>; length: number }>();
  for (const [index, values] of c.data) {
    const alloc = k.memory.allocF64(GUARD + c.shift + values.length + GUARD);
    const view = alloc.f64();
    view.fill(SENTINEL);
    view.set(values, GUARD + c.shift);
    args[index] = alloc.ptr + (GUARD + c.shift) * 8;
    allocations.set(index, { alloc, length: values.length });
  }
  const fn = k.raw[name] as (...a: number[]) => number | void;
  const returned = fn(...args);
  const buffers = new Map<number, Float64Array>();
  let guardsIntact = true;
  for (const [index, { alloc, length }] of allocations) {
    const view = alloc.f64();
    const head = view.subarray(0, GUARD + c.shift);
    const tail = view.subarray(GUARD + c.shift + length);
    if (!head.every((v) => v === SENTINEL) || !tail.every((v) => v === SENTINEL)) guardsIntact = false;
    buffers.set(index, view.slice(GUARD + c.shift, GUARD + c.shift + length));
    alloc.free();
  }
  return { returned, buffers, guardsIntact };
}

function agree(accuracy: Accuracy, a: number, b: number): boolean {
  switch (accuracy.kind) {
    case "exact":
      return a === b || (Number.isNaN(a) && Number.isNaN(b));
    case "ulp":
      return ulpDistance(a, b) <= accuracy.ulp;
    case "sum":
      return close(a, b, 1e-10);
    case "solve":
      return close(a, b, 1e-8);
  }
}

/** First disagreement between two arrays, as a message, or undefined. */
function firstMismatch(accuracy: Accuracy, got: Float64Array, want: Float64Array): string | undefined {
  for (let i = 0; i < want.length; i++) {
    if (!agree(accuracy, got[i]!, want[i]!)) return `element ${i}: got ${got[i]}, reference ${want[i]}`;
  }
  return undefined;
}

function check(name: KernelName, backend: "wasm-simd" | "wasm-scalar", specials: boolean): void {
  const spec = KERNEL_SPECS[name];
  const subject = subjects[backend]!;
  for (const c of kernelCases(name, spec, specials)) {
    const want = run(reference, name, c);
    const got = run(subject, name, c);
    const where = `${name} on ${backend}, ${c.label}${specials ? " with special values" : ""}`;
    expect(got.guardsIntact, `${where}: wrote outside its buffers`).toBe(true);
    if (spec.returns !== "void") {
      expect(
        agree(spec.accuracy, got.returned as number, want.returned as number),
        `${where}: returned ${got.returned}, reference ${want.returned}`,
      ).toBe(true);
    }
    spec.args.forEach((arg, index) => {
      if (arg.kind !== "ptr" || arg.name === "scratch") return;
      const mismatch =
        arg.access === "read"
          ? firstMismatch({ kind: "exact" }, got.buffers.get(index)!, c.data.get(index)!)
          : firstMismatch(spec.accuracy, got.buffers.get(index)!, want.buffers.get(index)!);
      expect(mismatch, `${where}: ${arg.access === "read" ? "modified input" : "output"} ${arg.name}: ${mismatch}`).toBeUndefined();
    });
  }
}

const NAN_FAMILIES = new Set(["blas1", "elementwise", "convert", "reduce"]);

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
