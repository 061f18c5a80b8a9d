/**
 * The synthetic data generator against the check values of docs/specs/synthetic-data.md, on
 * every backend, and chunk independence: any rows generated alone equal the same rows of the
 * whole problem.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, logisticBeta, logisticProblemChunk, type BackendName } from "../src/index.js";
import { Kernels } from "../src/kernels/index.js";
import { logisticLabels } from "../src/array/ops.js";
import { LABEL_BLOCK_ROWS, problemSeeds } from "../src/random/synthetic.js";
import { seedHalves } from "../src/random/index.js";

const SEED = 20240601;
const kernels = {} as Record<BackendName, Kernels>;
beforeAll(async () => {
  for (const b of BACKENDS) kernels[b] = await Kernels.create({ backend: b, memory: { initial: 4 << 20, maximum: 64 << 20 } });
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe.each(BACKENDS)("%s", (backend) => {
  it("U(seed, 0..3) matches the spec exactly", () => {
    const k = kernels[backend];
    const out = k.memory.allocF64(4);
    k.randomUniform(...seedHalves(SEED), 0, 4, out.ptr);
    expect(Array.from(out.f64())).toEqual([0.025503484179569602, 0.6340884475305283, 0.008307466682791587, 0.8291153878017612]);
    out.free();
  });

  it("problem(N = 10, P = 4) matches the spec's check values", () => {
    const k = kernels[backend];
    const { X, y } = logisticProblemChunk(k, { cols: 4, seed: SEED, rowStart: 0, rows: 10 });
    const x = X.f64();
    const sum = x.reduce((s, v) => s + v, 0);
    const sumSq = x.reduce((s, v) => s + v * v, 0);
    expect(rel(sum, 13.785272697890758)).toBeLessThan(1e-12);
    expect(rel(sumSq, 45.101247417292655)).toBeLessThan(1e-12);
    const row0 = [-0.15129519820498255, -0.16964207551189237, 0.061596991333686464, -0.11353476403872541];
    row0.forEach((v, j) => expect(rel(x[j]!, v)).toBeLessThan(1e-14));
    const row9 = [-0.6305842226603656, 0.1907992114305334, -0.646013173982814];
    row9.forEach((v, j) => expect(rel(x[9 * 4 + 1 + j]!, v)).toBeLessThan(1e-14));
    expect(Array.from(y.f64())).toEqual([0, 1, 1, 1, 1, 0, 1, 0, 1, 1]);
    const beta = logisticBeta(k, { cols: 4, seed: SEED });
    const want = [-0.19297631172635374, 0.5361366022121679, -0.10491644740755965, 0.5912140783917852];
    want.forEach((v, j) => expect(rel(beta.f64()[j]!, v)).toBeLessThan(1e-14));
    [X, y, beta].forEach((a) => a.free());
  });

  it("makes any chunk of rows alone, equal to the same rows of the whole problem", () => {
    const k = kernels[backend];
    const whole = logisticProblemChunk(k, { cols: 6, seed: 7, rowStart: 0, rows: 41 });
    for (const [r0, rows] of [
      [0, 1],
      [3, 7],
      [17, 24],
      [40, 1],
    ] as const) {
      const part = logisticProblemChunk(k, { cols: 6, seed: 7, rowStart: r0, rows });
      expect(Array.from(part.X.f64())).toEqual(Array.from(whole.X.f64().subarray(r0 * 6, (r0 + rows) * 6)));
      expect(Array.from(part.y.f64())).toEqual(Array.from(whole.y.f64().subarray(r0, r0 + rows)));
      part.X.free();
      part.y.free();
    }
    whole.X.free();
    whole.y.free();
    expect(k.memory.stats().liveBlocks).toBe(0);
  });
});

describe("bad input", () => {
  it("names the argument: odd cols, negative rows, a seed out of range", () => {
    const k = kernels.js;
    expect(() => logisticProblemChunk(k, { cols: 3, rowStart: 0, rows: 1 })).toThrow(
      /argument 'cols' must be a positive even whole number/,
    );
    expect(() => logisticProblemChunk(k, { cols: 4, rowStart: 0, rows: -1 })).toThrow(/argument 'rows'/);
    expect(() => seedHalves(-1)).toThrow(/argument 'seed'/);
    expect(() => k.randomUniform(2 ** 32, 0, 0, 1, 0)).toThrow(/argument 'seedHi' must be a whole number in \[0, 2\^32\)/);
  });
});

describe("the js generator's two-uint32-halves arithmetic", () => {
  // The spec transcribed with BigInt: the oracle for the halves arithmetic.
  const MASK = (1n << 64n) - 1n;
  const mix = (z0: bigint) => {
    let z = z0;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
  const U = (seed: bigint, k: bigint) => Number(mix((seed + (k + 1n) * 0x9e3779b97f4a7c15n) & MASK) >> 11n) * 2 ** -53;

  it("equals a BigInt transcription of the spec for random seeds and positions up to 2^53", async () => {
    const { uniformAt } = await import("../src/kernels/js/random.js");
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let trial = 0; trial < 2000; trial++) {
      const hi = next(),
        lo = next();
      const k = trial % 3 === 0 ? Number.MAX_SAFE_INTEGER - trial : trial % 3 === 1 ? next() : next() * 2 ** 20 + next();
      const want = U((BigInt(hi) << 32n) | BigInt(lo), BigInt(k));
      expect(uniformAt(hi, lo, k), `seed ${hi}:${lo}, k ${k}`).toBe(want);
    }
  });
});

describe("the labels op of array.random.logisticProblem", () => {
  it("draws its uniforms a block of rows at a time, so a large chunk fits a worker's scratch, with the same labels", async () => {
    // a chunk's uniforms all at once (8 bytes a row) outgrew a worker's scratch block, and every
    // labels task then ran on the calling thread
    const k = await Kernels.create({ backend: "js" });
    const rows = 3 * LABEL_BLOCK_ROWS + 5;
    const cols = 4;
    const seed = 11;
    const want = logisticProblemChunk(k, { cols, seed, rowStart: 100, rows });
    const beta = logisticBeta(k, { cols, seed });
    const asked: number[] = [];
    const scratch: ReturnType<typeof k.memory.alloc>[] = [];
    const ctx = {
      key: 0,
      kernels: k,
      alloc: (bytes: number) => k.memory.alloc(bytes),
      scratch: (bytes: number) => {
        asked.push(bytes);
        const b = k.memory.alloc(bytes);
        scratch.push(b);
        return b;
      },
    };
    const [hi, lo] = problemSeeds(seed).labels;
    const y = logisticLabels(ctx, want.X, beta, hi, lo, 100, rows, cols);
    expect(Math.max(...asked)).toBeLessThanOrEqual(8 * LABEL_BLOCK_ROWS);
    expect(Array.from(y.f64())).toEqual(Array.from(want.y.f64()));
    (y as unknown as { free(): void }).free();
    for (const b of [beta, want.X, want.y, ...scratch]) b.free();
  });
});
