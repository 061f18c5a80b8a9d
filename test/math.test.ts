/**
 * The vectorized exp and log of both wasm builds against Math.exp and Math.log, over the whole
 * range: subnormal results and inputs, overflow, zero, negative inputs to log, NaN and the
 * infinities. The measured bound is the one documented in assembly/math.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Kernels } from "../src/kernels/index.js";
import { ulpDistance } from "./helpers/compare.js";
import { rng } from "./helpers/random.js";

const backends = ["wasm-simd", "wasm-scalar"] as const;
const kernels: Partial<Record<(typeof backends)[number], Kernels>> = {};

beforeAll(async () => {
  for (const b of backends) kernels[b] = await Kernels.create({ backend: b, memory: { initial: 32 << 20, maximum: 256 << 20 } });
});

/** Applies kernel `name` of backend `b` to `xs` and returns the largest ulp distance from `ref`. */
function maxUlp(b: (typeof backends)[number], name: "exp" | "log", xs: Float64Array, ref: (x: number) => number) {
  const k = kernels[b]!;
  const x = k.memory.fromF64(xs);
  const y = k.memory.allocF64(xs.length);
  k[name](xs.length, x.ptr, y.ptr);
  const out = y.f64();
  let worst = 0;
  let worstAt = NaN;
  for (let i = 0; i < xs.length; i++) {
    const d = ulpDistance(out[i]!, ref(xs[i]!));
    if (d > worst) {
      worst = d;
      worstAt = xs[i]!;
    }
  }
  x.free();
  y.free();
  return { worst, worstAt };
}

function sweep(lo: number, hi: number, n: number, seed: number): Float64Array {
  const r = rng(seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = lo + (hi - lo) * (i < n / 2 ? i / (n / 2) : r());
  return xs;
}

/** Positive doubles spread evenly over exponents, subnormals included. */
function logSpread(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => 2 ** (-1074 + 2098 * r()) * (1 + r()));
}

describe.each(backends)("%s", (b) => {
  it("exp is within 1 ulp of Math.exp from -745 to 710", () => {
    const { worst, worstAt } = maxUlp(b, "exp", sweep(-745.2, 710, 200_001, 1), Math.exp);
    expect(worst, `worst at x = ${worstAt}`).toBeLessThanOrEqual(1);
  });

  it("exp is within 1 ulp near zero, where the polynomial carries the result", () => {
    const { worst } = maxUlp(b, "exp", sweep(-1, 1, 100_001, 2), Math.exp);
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("exp gets the edges exactly: overflow, underflow to subnormals and zero, NaN, infinities", () => {
    const edges = Float64Array.from([
      709.782712893384,
      709.7827128933841,
      710,
      1000,
      Infinity,
      -708.39,
      -709,
      -740,
      -745.1332191019411,
      -745.1332191019412,
      -746,
      -1e5,
      -Infinity,
      NaN,
      0,
      -0,
      5e-324,
      -5e-324,
      1e-300,
    ]);
    const { worst, worstAt } = maxUlp(b, "exp", edges, Math.exp);
    expect(worst, `worst at x = ${worstAt}`).toBeLessThanOrEqual(1);
  });

  it("log is within 1 ulp of Math.log over all positive doubles, subnormals included", () => {
    const { worst, worstAt } = maxUlp(b, "log", logSpread(200_001, 3), Math.log);
    expect(worst, `worst at x = ${worstAt}`).toBeLessThanOrEqual(1);
  });

  it("log is within 1 ulp near 1, where cancellation is worst", () => {
    const { worst, worstAt } = maxUlp(b, "log", sweep(0.5, 2, 100_001, 4), Math.log);
    expect(worst, `worst at x = ${worstAt}`).toBeLessThanOrEqual(1);
  });

  it("log maps 0 to -Infinity, negatives and NaN to NaN, Infinity to Infinity", () => {
    const k = kernels[b]!;
    const xs = [0, -0, -1, -5e-324, -Infinity, NaN, Infinity, 1, 5e-324, Number.MAX_VALUE];
    const x = k.memory.fromF64(xs);
    const y = k.memory.allocF64(xs.length);
    k.log(xs.length, x.ptr, y.ptr);
    expect(Array.from(y.f64())).toEqual(xs.map(Math.log));
    x.free();
    y.free();
  });
});
