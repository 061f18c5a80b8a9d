/**
 * Chunked arrays against plain TypeScript loops: every elementwise op, broadcast, reduction,
 * product and layout operation, on random shapes and chunkings (one-row chunks, an uneven last
 * chunk, empty arrays), on the threaded runtime; fused and unfused evaluation agree; the spec's
 * synthetic problem comes out with its check values whatever the chunking.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomMatrix } from "./helpers/matrices.js";
import {
  ArgumentError,
  type ChunkedArray,
  Graph,
  Runtime,
  array,
  compile,
  isFused,
  logisticBeta,
  logisticProblemChunk,
} from "../src/index.js";
import { Kernels } from "../src/kernels/index.js";

let rt: Runtime;
let other: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
  other = await Runtime.start({ threads: 1 });
});
afterAll(async () => {
  await rt.close();
  await other.close();
});

const compute = async (x: ChunkedArray) => x.compute({ runtime: rt });
const values = async (x: ChunkedArray) => Array.from((await x.compute({ runtime: rt })) as Float64Array);

/** Relative closeness for results of exp/log kernels (within an ulp or so of Math's). */
function close(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!,
      w = want[i]!;
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else if (!Number.isFinite(w)) expect(g).toBe(w);
    else expect(Math.abs(g - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
  }
}

/** A random 2-D matrix with random row and column chunks. */
const matrix = randomMatrix;

const UNARY: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
};
const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  minimum: Math.min,
  maximum: Math.max,
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
};

describe("chunked arrays: elementwise (property, against plain loops)", () => {
  it("unary ops on random shapes and chunkings", async () => {
    await fc.assert(
      fc.asyncProperty(matrix, fc.constantFrom(...Object.keys(UNARY)), async (m, op) => {
        const x = array.fromTypedArray(m.data, { shape: [m.rows, m.cols], chunks: m.chunks });
        const y = (array as unknown as Record<string, (x: ChunkedArray) => ChunkedArray>)[op]!(x);
        close(await values(y), Array.from(m.data, UNARY[op]!), 1e-13);
      }),
      { numRuns: 40 },
    );
  });

  it("binary ops between arrays chunked differently, and with numbers on either side", async () => {
    await fc.assert(
      fc.asyncProperty(
        matrix,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(...Object.keys(BINARY)),
        fc.double({ min: -3, max: 3, noNaN: true }),
        async (m, rc, op, s) => {
          const x = array.fromTypedArray(m.data, { shape: [m.rows, m.cols], chunks: m.chunks });
          const other = Float64Array.from(m.data, (v, i) => v * 0.5 + (i % 3) - 1);
          const y = array.fromTypedArray(other, { shape: [m.rows, m.cols], chunks: [rc, m.cols] });
          const f = BINARY[op]!;
          const method = (a: ChunkedArray, b: ChunkedArray | number) =>
            (a as unknown as Record<string, (b: unknown) => ChunkedArray>)[op]!.call(a, b);
          close(
            await values(method(x, y)),
            Array.from(m.data, (v, i) => f(v, other[i]!)),
            1e-13,
          );
          close(
            await values(method(x, s)),
            Array.from(m.data, (v) => f(v, s)),
            1e-13,
          );
          const free = (array as unknown as Record<string, (a: unknown, b: unknown) => ChunkedArray>)[op]!;
          close(
            await values(free(s, x)),
            Array.from(m.data, (v) => f(s, v)),
            1e-13,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("broadcasts rows, columns, single values and reductions by NumPy's rules", async () => {
    const data = Float64Array.from({ length: 7 * 3 }, (_, i) => i + 1);
    const x = array.fromTypedArray(data, { shape: [7, 3], chunks: [2, 3] });
    const row = array.fromTypedArray([10, 20, 30]);
    const col = array.fromTypedArray([1, 2, 3, 4, 5, 6, 7], { shape: [7, 1], chunks: [3, 1] });
    const at = (r: number, c: number) => data[r * 3 + c]!;
    const grid = (f: (r: number, c: number) => number) => Array.from({ length: 21 }, (_, i) => f(Math.floor(i / 3), i % 3));
    expect(await values(x.add(row))).toEqual(grid((r, c) => at(r, c) + [10, 20, 30][c]!));
    expect(await values(row.sub(x))).toEqual(grid((r, c) => [10, 20, 30][c]! - at(r, c)));
    expect(await values(x.mul(col))).toEqual(grid((r, c) => at(r, c) * (r + 1)));
    expect(await values(x.gt(row.div(3)))).toEqual(grid((r, c) => +(at(r, c) > [10, 20, 30][c]! / 3)));
    // a row against a column: the outer sum
    expect(await values(row.add(col))).toEqual(grid((r, c) => [10, 20, 30][c]! + r + 1));
    // a reduction's value against the array
    expect(await values(x.sub(x.mean()))).toEqual(grid((r, c) => at(r, c) - 11));
    expect(await values(array.fromTypedArray([1], { shape: [1, 1] }).add(x))).toEqual(grid((r, c) => at(r, c) + 1));
    expect(() => x.add(array.fromTypedArray([1, 2]))).toThrow(/\[7, 3\] and \[2\]/);
    expect(() => x.add("1" as unknown as number)).toThrow(ArgumentError);
  });

  it("a 0-D array's ops compute what the js kernels compute: sigmoid in the far tails, min and max of signed zeros", async () => {
    // 1 / (1 + exp(-x)) is 0 for x below about -709 (exp overflows); the kernels keep exp(x) there
    const js = await Kernels.create({ backend: "js" });
    const xs = [-800, -745, -720, -710, -40, -1e-300, -0, 0, 3, 40, 800, -Infinity, Infinity, NaN];
    const x = js.memory.fromF64(Float64Array.from(xs));
    js.sigmoid(xs.length, x.ptr, x.ptr);
    const kernel = Array.from(x.f64());
    x.free();
    const zeroD = (v: number) => array.fromTypedArray([v]).max(); // max keeps -0 (a sum would not)
    for (const [i, v] of xs.entries()) expect(await zeroD(v).sigmoid().compute({ runtime: rt })).toBe(kernel[i]);
    expect(await zeroD(-720).sigmoid().compute({ runtime: rt })).toBeGreaterThan(0);
    // min and max as the minVV/maxVV kernels: -0 below +0, NaN wins
    const pairs = [
      [-0, 0],
      [0, -0],
      [NaN, 1],
      [1, NaN],
    ] as const;
    for (const [a, b] of pairs) {
      expect(await array.minimum(zeroD(a), zeroD(b)).compute({ runtime: rt })).toBe(Math.min(a, b));
      expect(await array.maximum(zeroD(a), zeroD(b)).compute({ runtime: rt })).toBe(Math.max(a, b));
    }
  });

  it("where(cond, a, b) picks by condition, broadcasting all three", async () => {
    const x = array.arange(10, { chunks: 4 });
    expect(await values(array.where(x.lt(5), x, x.neg()))).toEqual([0, 1, 2, 3, 4, -5, -6, -7, -8, -9]);
    expect(await values(array.where(x.ge(8), 1, 0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });
});

describe("chunked arrays: creation", () => {
  it("arange, linspace, zeros, ones, full, fromRows", async () => {
    expect(await values(array.arange(2, 11, 3, { chunks: 2 }))).toEqual([2, 5, 8]);
    close(await values(array.linspace(0, 1, 5, { chunks: 2 })), [0, 0.25, 0.5, 0.75, 1]);
    expect(await values(array.zeros([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(await values(array.ones([3], { chunks: 1 }))).toEqual([1, 1, 1]);
    expect(await values(array.full([2, 3], 7, { chunks: [1, [2, 1]] }))).toEqual([7, 7, 7, 7, 7, 7]);
    expect(
      await values(
        array.fromRows([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toEqual([1, 2, 3, 4]);
    expect(await values(array.arange(0))).toEqual([]);
    expect(() => array.arange(0, 1, 0)).toThrow(/step/);
    expect(() => array.linspace(0, Infinity, 3)).toThrow(/stop/);
    expect(() => array.zeros([2, 2], { chunks: [[1, 2], 2] })).toThrow(/summing to 2/);
    expect(() => array.fromRows([[1, 2], [3]])).toThrow(/rows\[1\]/);
  });

  it("random arrays are the same whatever the chunking", async () => {
    const a = await values(array.random.uniform({ shape: [9, 4], chunks: [9, 4], seed: 5, low: -1, high: 2 }));
    const b = await values(array.random.uniform({ shape: [9, 4], chunks: [2, [1, 3]], seed: 5, low: -1, high: 2 }));
    expect(b).toEqual(a);
    expect(a.every((v) => v >= -1 && v < 2)).toBe(true);
    const n1 = await values(array.random.normal({ shape: [50], chunks: 7, seed: 3 }));
    const n2 = await values(array.random.normal({ shape: [50], chunks: 50, seed: 3 }));
    expect(n1).toEqual(n2);
  });

  it("logisticProblem reproduces the spec's check values for any chunkRows", async () => {
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    for (const chunkRows of [1, 3, 10]) {
      const { X, y, beta } = array.random.logisticProblem({ rows: 10, cols: 4, seed: 20240601, chunkRows });
      const [x, yy, b] = (await array.compute(X, y, beta, { runtime: rt })) as Float64Array[];
      expect(
        rel(
          x!.reduce((s, v) => s + v, 0),
          13.785272697890758,
        ),
      ).toBeLessThan(1e-12);
      expect(
        rel(
          x!.reduce((s, v) => s + v * v, 0),
          45.101247417292655,
        ),
      ).toBeLessThan(1e-12);
      [-0.15129519820498255, -0.16964207551189237, 0.061596991333686464, -0.11353476403872541].forEach((v, j) =>
        expect(rel(x![j]!, v)).toBeLessThan(1e-14),
      );
      [-0.6305842226603656, 0.1907992114305334, -0.646013173982814].forEach((v, j) => expect(rel(x![37 + j]!, v)).toBeLessThan(1e-14));
      [-0.19297631172635374, 0.5361366022121679, -0.10491644740755965, 0.5912140783917852].forEach((v, j) =>
        expect(rel(b![j]!, v)).toBeLessThan(1e-14),
      );
      expect(Array.from(yy!)).toEqual([0, 1, 1, 1, 1, 0, 1, 0, 1, 1]);
    }
  });
});

describe("chunked arrays: the synthetic problem", () => {
  it("logisticProblem's rows are logisticProblemChunk's, bit for bit, whatever the chunking", async () => {
    const [rows, cols, seed] = [57, 6, 11];
    const whole = logisticProblemChunk(rt.kernels, { cols, seed, rowStart: 0, rows });
    const beta = logisticBeta(rt.kernels, { cols, seed });
    for (const chunkRows of [1, 10, 57]) {
      const p = array.random.logisticProblem({ rows, cols, seed, chunkRows });
      const [x, y, b] = (await array.compute(p.X, p.y, p.beta, { runtime: rt })) as Float64Array[];
      expect(Array.from(x!)).toEqual(Array.from(whole.X.f64()));
      expect(Array.from(y!)).toEqual(Array.from(whole.y.f64()));
      expect(Array.from(b!)).toEqual(Array.from(beta.f64()));
    }
    [whole.X, whole.y, beta].forEach((a) => a.free());
  });
});

describe("chunked arrays: reductions", () => {
  it("sum, mean, min, max, var and std over everything and each axis (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        matrix.filter((m) => m.rows > 0),
        fc.integer({ min: 2, max: 4 }),
        async (m, splitEvery) => {
          const x = array.fromTypedArray(m.data, { shape: [m.rows, m.cols], chunks: m.chunks });
          const at = (r: number, c: number) => m.data[r * m.cols + c]!;
          const all = Array.from(m.data);
          const sum = all.reduce((a, b) => a + b, 0);
          const mean = sum / all.length;
          const variance = all.reduce((a, v) => a + (v - mean) ** 2, 0) / all.length;
          const o = { splitEvery };
          // ddof below the count (ddof >= n is refused, where NumPy gives inf or nan)
          const ddof = all.length > 1 ? 1 : 0;
          const got = (await array.compute(x.sum(undefined, o), x.mean(), x.min(), x.max(), x.var(), x.std(undefined, { ddof }), {
            runtime: rt,
          })) as number[];
          close(
            got,
            [sum, mean, Math.min(...all), Math.max(...all), variance, Math.sqrt((variance * all.length) / (all.length - ddof))],
            1e-10,
          );
          expect(() => x.std(undefined, { ddof: all.length })).toThrow(/'ddof' must be a whole number >= 0 and below/);
          const colSums = Array.from({ length: m.cols }, (_, c) =>
            Array.from({ length: m.rows }, (_, r) => at(r, c)).reduce((a, b) => a + b, 0),
          );
          const rowMax = Array.from({ length: m.rows }, (_, r) => Math.max(...Array.from({ length: m.cols }, (_, c) => at(r, c))));
          close(await values(x.sum(0, o)), colSums, 1e-12);
          close(await values(x.max(1, o)), rowMax);
          close(
            await values(x.mean(0)),
            colSums.map((s) => s / m.rows),
            1e-12,
          );
          close(
            await values(x.min(-1)),
            Array.from({ length: m.rows }, (_, r) => Math.min(...Array.from({ length: m.cols }, (_, c) => at(r, c)))),
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it("names the problem: an axis out of range, the min of nothing, a bad splitEvery", async () => {
    const x = array.zeros([3, 2]);
    expect(() => x.sum(2)).toThrow(/axis/);
    expect(() => array.zeros([0]).min()).toThrow(/non-empty/);
    expect(() => x.sum(undefined, { splitEvery: 1 })).toThrow(/splitEvery/);
    expect(await compute(array.zeros([0]).sum())).toBe(0);
  });
});

describe("chunked arrays: linear algebra", () => {
  const X = Float64Array.from({ length: 9 * 4 }, (_, i) => Math.cos(i));
  const w = [0.5, -1, 2, 0.25];
  const r = Array.from({ length: 9 }, (_, i) => i - 4);
  const xw = Array.from({ length: 9 }, (_, i) => w.reduce((s, v, j) => s + v * X[i * 4 + j]!, 0));
  const xtr = Array.from({ length: 4 }, (_, j) => r.reduce((s, v, i) => s + v * X[i * 4 + j]!, 0));

  for (const chunks of [
    [2, 4],
    [4, 2],
    [1, 1],
    [9, 4],
  ] as [number, number][]) {
    it(`X w, X^T r, X W, X^T X, X^T D X and dot with chunks ${JSON.stringify(chunks)}`, async () => {
      const x = array.fromTypedArray(X, { shape: [9, 4], chunks });
      close(await values(x.matmul(array.fromTypedArray(w, { chunks: 3 }))), xw);
      close(await values(x.T.matmul(array.fromTypedArray(r, { chunks: 2 }))), xtr);
      const W = [1, 0, 0, 1, 1, 1, 2, -1]; // 4 x 2
      const xW = Array.from({ length: 18 }, (_, k) =>
        [0, 1, 2, 3].reduce((s, j) => s + X[Math.floor(k / 2) * 4 + j]! * W[j * 2 + (k % 2)]!, 0),
      );
      close(await values(x.matmul(array.fromTypedArray(W, { shape: [4, 2] }))), xW);
      const gram = Array.from({ length: 16 }, (_, k) => r.reduce((s, _v, i) => s + X[i * 4 + Math.floor(k / 4)]! * X[i * 4 + (k % 4)]!, 0));
      close(await values(x.T.matmul(x)), gram);
      const d = r.map((v) => v * v);
      const gramD = Array.from({ length: 16 }, (_, k) =>
        d.reduce((s, dv, i) => s + dv * X[i * 4 + Math.floor(k / 4)]! * X[i * 4 + (k % 4)]!, 0),
      );
      close(await values(x.gram(array.fromTypedArray(d, { chunks: 5 }))), gramD);
      expect(await compute(array.fromTypedArray(r, { chunks: 4 }).dot(array.fromTypedArray(r)))).toBe(r.reduce((s, v) => s + v * v, 0));
    });
  }

  it("names both shapes when they do not fit", () => {
    const x = array.zeros([3, 2]);
    expect(() => x.matmul(array.zeros([3]))).toThrow(/\[3, 2\] and \[3\]/);
    expect(() => array.zeros([2]).dot(array.zeros([3]))).toThrow(/\[2\] and \[3\]/);
  });
});

describe("chunked arrays: layout", () => {
  const data = Float64Array.from({ length: 6 * 3 }, (_, i) => i);
  const x = array.fromTypedArray(data, { shape: [6, 3], chunks: [4, 2] });

  it("row ranges, column selections, transposes, concatenation and rechunking", async () => {
    expect(await values(x.rows(3, 5))).toEqual(Array.from(data.subarray(9, 15)));
    expect(await values(x.rows(2, 2))).toEqual([]);
    expect(await values(x.columns([2, 0]))).toEqual(Array.from({ length: 12 }, (_, k) => data[Math.floor(k / 2) * 3 + (k % 2 ? 0 : 2)]!));
    expect(await values(x.T)).toEqual(Array.from({ length: 18 }, (_, k) => data[(k % 6) * 3 + Math.floor(k / 6)]!));
    expect(x.T.T).toBe(x);
    expect(await values(array.concatenate([x, x.rows(0, 1)]))).toEqual([...data, 0, 1, 2]);
    expect(await values(array.concatenate([x, x], 1))).toEqual(
      Array.from({ length: 36 }, (_, k) => data[Math.floor(k / 6) * 3 + (k % 3)]!),
    );
    const re = x.rechunk([[1, 2, 3], [3]]);
    expect(re.chunks).toEqual([[1, 2, 3], [3]]);
    expect(await values(re)).toEqual(Array.from(data));
    expect(await values(array.arange(10, { chunks: 3 }).rows(2, 9))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(() => x.rows(4, 7)).toThrow(/0 <= start <= end <= 6/);
    expect(() => x.columns([3])).toThrow(/\[0, 3\)/);
    expect(() => array.concatenate([x, array.zeros([2, 2])])).toThrow(/\[2, 2\]/);
  });
});

describe("chunked arrays: fusion, persistence, user kernels", () => {
  it("sum(exp(x) - 1/x) is one task per chunk plus the reduction tree, and agrees unfused", async () => {
    const x = array.random.uniform({ shape: [1000], chunks: 100, seed: 1, low: 0.5, high: 1.5 });
    const y = x.exp().sub(x.reciprocal()).sum();
    const graph = new Graph([y.layer]);
    const fused = compile(graph, y.layer.keys());
    const unfused = compile(graph, y.layer.keys(), { fusion: "none" });
    // unfused: 10 chunks x 5 ops (random, exp, 1/x, sub, sum) and a tree of 2 + 1 combines;
    // fused: one task per chunk streaming it once, and the tree's 3 combines, which gather
    // the chunks' sums without drawing any chunk's work into them (the chunks run side by side)
    expect(unfused.tasks).toHaveLength(53);
    expect(fused.tasks).toHaveLength(13);
    const chunkTasks = fused.tasks.filter((t) => isFused(t));
    expect(chunkTasks).toHaveLength(10);
    expect(chunkTasks.every((t) => isFused(t) && t.steps.length === 5)).toBe(true);
    const [a] = await rt.run(fused);
    const [b] = await rt.run(unfused);
    const xs = await values(x);
    const want = xs.reduce((s, v) => s + Math.exp(v) - 1 / v, 0);
    expect(Math.abs((a as number) - want)).toBeLessThan(1e-9);
    expect(Math.abs((b as number) - (a as number))).toBeLessThan(1e-9);
  });

  it("persist() keeps chunks in shared memory across computes; arrays of two runtimes do not mix", async () => {
    const before = rt.memory.stats().liveBytes;
    const x = await array.arange(12, { chunks: 5 }).mul(2).persist({ runtime: rt });
    expect(rt.memory.stats().liveBytes).toBeGreaterThan(before);
    expect(await values(x.add(1))).toEqual(Array.from({ length: 12 }, (_, i) => 2 * i + 1));
    expect(await compute(x.sum())).toBe(132);
    const y = await array.arange(12, { chunks: 5 }).persist({ runtime: other });
    expect(() => x.add(y)).toThrow(/two runtimes/);
    await expect(x.compute({ runtime: other })).rejects.toThrow(/runtime/);
    x.release();
    y.release();
    expect(rt.memory.stats().liveBytes).toBe(before);
  });

  it("mapBlocks runs a user function on each chunk", async () => {
    const x = array.arange(10, { chunks: 4 });
    const y = array.mapBlocks(([b], info) => b!.map((v) => v * 10 + info.col0), [x]);
    expect(await values(y)).toEqual([0, 10, 20, 30, 44, 54, 64, 74, 88, 98]);
  });

  it("compute({ out }) fills and returns the caller's array, for every dtype and shape, and checks it", async () => {
    const M = array
      .fromRows(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
          [10, 11, 12],
        ],
        { chunks: [3, 2] },
      )
      .mul(2);
    const out = new Float64Array(12).fill(NaN);
    const got = await M.compute({ out, runtime: rt });
    expect(got).toBe(out);
    expect([...out]).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    expect(await M.add(1).toTypedArray({ out, runtime: rt })).toBe(out); // the same array, refilled
    expect(out[11]).toBe(25);
    const f = array.arange(5, { chunks: 2, dtype: "float32" }).div(3);
    const out32 = new Float32Array(5);
    expect(await f.compute({ out: out32, runtime: rt })).toBe(out32);
    expect([...out32]).toEqual([0, 1, 2, 3, 4].map((v) => Math.fround(v / 3)));
    const scalar = new Float64Array(1);
    expect(await M.sum().compute({ out: scalar, runtime: rt })).toBe(156); // a 0-D array: the number, and out[0]
    expect(scalar[0]).toBe(156);
    await expect(M.compute({ out: new Float64Array(11), runtime: rt })).rejects.toThrow(ArgumentError);
    await expect(M.compute({ out: new Float64Array(11), runtime: rt })).rejects.toThrow(
      /'out' must be a Float64Array of 12 values.*Float64Array of 11 values/,
    );
    await expect(f.compute({ out: new Float64Array(5), runtime: rt })).rejects.toThrow(/Float32Array of 5 values/);
    await expect(M.compute({ out: [1, 2] as unknown as Float64Array, runtime: rt })).rejects.toThrow(ArgumentError);
    const inside = rt.memory.allocF64(4); // a view of the runtime's own memory
    await expect(array.arange(4, { chunks: 2 }).compute({ out: inside.f64(), runtime: rt })).rejects.toThrow(
      /not a view of the runtime's memory/,
    );
    inside.free();
  });

  it("computes several arrays in one graph, sharing what they share", async () => {
    const x = array.arange(6, { chunks: 2 }).exp();
    const [a, b] = (await array.compute(x.sum(), x.max(), { runtime: rt })) as number[];
    close([a!, b!], [[0, 1, 2, 3, 4, 5].reduce((s, v) => s + Math.exp(v), 0), Math.exp(5)]);
  });
});

describe("tiled expressions", () => {
  type Expr = { leaf: "x" | "y" } | { num: number } | { un: string; a: Expr } | { bin: string; a: Expr; b: Expr };
  const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom<Expr>({ leaf: "x" }, { leaf: "y" }),
      fc.double({ min: -2, max: 2, noNaN: true }).map((num): Expr => ({ num })),
      fc.record({ un: fc.constantFrom("exp", "sigmoid", "tanh", "abs", "neg", "square", "sqrt", "log1p"), a: tie("e") }),
      fc.record({ bin: fc.constantFrom("add", "sub", "mul", "div", "minimum", "maximum"), a: tie("e"), b: tie("e") }),
    ),
  })).e;

  const build = (e: Expr, x: ChunkedArray, y: ChunkedArray): ChunkedArray | number => {
    if ("leaf" in e) return e.leaf === "x" ? x : y;
    if ("num" in e) return e.num;
    if ("un" in e) {
      const a = build(e.a, x, y);
      return typeof a === "number" ? a : (a as unknown as Record<string, () => ChunkedArray>)[e.un]!.call(a);
    }
    const a = build(e.a, x, y),
      b = build(e.b, x, y);
    if (typeof a === "number" && typeof b === "number") return a + b;
    const f = (array as unknown as Record<string, (p: unknown, q: unknown) => ChunkedArray>)[e.bin]!;
    return f(a, b);
  };

  it("fused (tile by tile) equals unfused (step by step) on random expressions and lengths around the tile size", async () => {
    await fc.assert(
      fc.asyncProperty(
        expr,
        fc.constantFrom(0, 1, 3, 17, 1023, 1024, 1025, 2500),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        async (e, n, pieces, reduce) => {
          const chunk = Math.max(1, Math.ceil(n / pieces));
          const x = array.random.uniform({ shape: [n], chunks: chunk, seed: 11, low: 0.1, high: 2 });
          const y = array.random.normal({ shape: [n], chunks: chunk, seed: 12 });
          const built = build(e, x, y);
          if (typeof built === "number") return;
          const out = reduce ? built.sum() : built;
          const graph = new Graph([out.layer]);
          const [fused, unfused] = await Promise.all([
            rt.run(compile(graph, out.layer.keys())),
            rt.run(compile(graph, out.layer.keys(), { fusion: "none" })),
          ]);
          if (reduce) {
            const f = fused.reduce((s: number, v) => s + (v as number), 0),
              u = unfused.reduce((s: number, v) => s + (v as number), 0);
            if (Number.isFinite(u)) expect(Math.abs(f - u)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(u)));
            else expect(f).toEqual(u);
          } else {
            for (let c = 0; c < fused.length; c++)
              expect(Array.from(fused[c] as Float64Array)).toEqual(Array.from(unfused[c] as Float64Array));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("compute and persist report progress: tasks done of the total, ending at the total", async () => {
    const x = array.random.uniform({ shape: [4000], chunks: 100, seed: 2 });
    const calls: [number, number][] = [];
    const onProgress = (done: number, total: number) => calls.push([done, total]);
    await x.exp().sum().compute({ runtime: rt, onProgress });
    const [done, total] = calls.at(-1)!;
    expect(done).toBe(total);
    expect(total).toBeGreaterThanOrEqual(40); // one task per chunk at least
    calls.length = 0;
    const p = await x.persist({ runtime: rt, onProgress });
    expect(calls.at(-1)).toEqual([40, 40]);
    p.release();
  });

  it("a chunk too big for the scratch block is not fused into its reader, so workers can run both", async () => {
    const small = await Runtime.start({ threads: 2, scratchBytes: 64 * 1024 });
    try {
      const x = array.random.uniform({ shape: [400_000], chunks: 50_000, seed: 8, low: 0.5, high: 1.5 }); // 400 KB chunks
      const y = x.exp().sum();
      const plan = small.compile(new Graph([y.layer]), y.layer.keys());
      expect(plan.tasks.filter((t) => t.op === "random")).toHaveLength(8); // each chunk its own task
      const tight = compile(new Graph([y.layer]), y.layer.keys(), { fuseOptions: { maxIntermediateBytes: 1 << 20 } });
      expect(tight.tasks.some((t) => t.op === "random")).toBe(false); // 1 MB allows fusing them
      small.clearProfile();
      const [got] = (await small.run(plan)) as number[];
      expect(new Set(small.profile().events.map((e) => e.lane)).size).toBe(2); // both threads took part
      const xs = (await x.compute({ runtime: small })) as Float64Array;
      expect(Math.abs(got! - xs.reduce((a, v) => a + Math.exp(v), 0))).toBeLessThan(1e-6);
    } finally {
      await small.close();
    }
  });

  it("a reduction over few chunks keeps them in separate tasks (fusing them would serialize them)", () => {
    for (const n of [2, 3]) {
      const x = array.random.uniform({ shape: [1000 * n], chunks: 1000, seed: 4 });
      const total = x.exp().sum();
      const plan = compile(new Graph([total.layer]), total.layer.keys());
      expect(plan.tasks).toHaveLength(n + 1); // one task per chunk, and the combine
      const combine = plan.tasks.find((t) => !isFused(t))!;
      expect(combine.op).toBe("combineSum");
    }
  });

  it("the seed expression's fused chunk task is planned as tiles", async () => {
    const { tilePlanOf } = await import("../src/execute/tiles.js");
    const x = array.random.uniform({ shape: [3000], chunks: 3000, seed: 1, low: 0.5, high: 1.5 });
    const y = x.exp().sub(x.reciprocal()).sum();
    const plan = compile(new Graph([y.layer]), y.layer.keys());
    const layout = plan.layout();
    const tiled = layout.groups.map((g) => tilePlanOf(g.program)).filter((p) => p !== null);
    expect(tiled).toHaveLength(1);
    expect(tiled[0]!.steps.map((s) => s.spec.kind)).toEqual(["unary", "unary", "binary", "reduce"]);
  });
});

describe("GLM gradients", () => {
  it("X.T.matmul(mean(X.matmul(w)) - y) runs the fused GLM kernel and equals the two-pass product", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 300, cols: 6, seed: 3, chunkRows: 70 });
    const w = array.fromTypedArray([0.1, -0.2, 0.3, 0, 0.5, -0.1]);
    const [x, yy] = (await array.compute(X, y, { runtime: rt })) as Float64Array[];
    const wv = [0.1, -0.2, 0.3, 0, 0.5, -0.1];
    const eta = Array.from({ length: 300 }, (_, i) => wv.reduce((s, v, j) => s + v * x![i * 6 + j]!, 0));
    const means = { logistic: (e: number) => 1 / (1 + Math.exp(-e)), normal: (e: number) => e, poisson: Math.exp };
    const build = { logistic: (m: ChunkedArray) => m.sigmoid(), normal: (m: ChunkedArray) => m, poisson: (m: ChunkedArray) => m.exp() };
    for (const family of ["logistic", "normal", "poisson"] as const) {
      const grad = X.T.matmul(build[family](X.matmul(w)).sub(y));
      const ops = [...new Graph([grad.layer]).tasks().values()].map((t) => t.op);
      expect(ops.filter((o) => o === "glmGradChunk")).toHaveLength(5); // one per chunk
      expect(ops).not.toContain("gemvTChunk");
      const want = Array.from({ length: 6 }, (_, j) => eta.reduce((s, e, i) => s + (means[family](e) - yy![i]!) * x![i * 6 + j]!, 0));
      close(await values(grad), want, 1e-10);
    }
    // anything else is the general product
    const other = X.T.matmul(X.matmul(w).sigmoid().sub(y).mul(2));
    expect([...new Graph([other.layer]).tasks().values()].some((t) => t.op === "glmGradChunk")).toBe(false);
  });
});
