/**
 * float32 arrays: stored in 4 bytes a value, computed in float64, every operation's result
 * rounded to float32 (NumPy's float32 semantics, with float64 arithmetic inside each operation).
 * Each result is checked against the float64 computation of the same values rounded with
 * Math.fround, and against plain loops; fusion must not change a bit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomMatrix } from "./helpers/matrices.js";
import { ArgumentError, type ChunkedArray, Graph, Runtime, array, compile, glm, isFused } from "../src/index.js";
import type { Allocation } from "../src/memory/index.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

const compute = (x: ChunkedArray) => x.compute({ runtime: rt });
const fround = (xs: ArrayLike<number>) => Float32Array.from(xs as ArrayLike<number>, Math.fround);

/** Exactly equal, value by value (NaN equal to NaN). */
function same(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]!)) expect(got[i]).toBeNaN();
    else expect(got[i], `element ${i}`).toBe(want[i]);
  }
}

/** A float32 matrix (random chunks) and the same values as float64. */
const matrix = randomMatrix.map(({ rows, cols, data, chunks }) => {
  const values = Float32Array.from(data);
  return {
    rows,
    cols,
    data: values,
    x32: array.fromTypedArray(values, { shape: [rows, cols], chunks }),
    x64: array.fromTypedArray(Float64Array.from(values), { shape: [rows, cols], chunks }),
  };
});

const UNARY = ["neg", "abs", "exp", "log", "log1p", "expm1", "sqrt", "sigmoid", "tanh", "square", "reciprocal"] as const;
const BINARY = ["add", "sub", "mul", "div", "pow", "minimum", "maximum", "lt", "ge", "eq"] as const;

describe("float32 arrays: creation and dtype rules", () => {
  it("fromTypedArray keeps a Float32Array's type; dtype options round the made values", async () => {
    const data = Float32Array.of(1.5, -2.25, 1 / 3, 1e-8, 3e38);
    const x = array.fromTypedArray(data, { chunks: 2 });
    expect(x.dtype).toBe("float32");
    expect(x.itemsize).toBe(4);
    expect(String(x)).toBe("ChunkedArray(shape [5], chunks [[2,2,1]], dtype float32)");
    const v = await compute(x);
    expect(v).toBeInstanceOf(Float32Array);
    same(v as Float32Array, data);
    expect(array.fromTypedArray([1, 2]).dtype).toBe("float64");
    expect(array.fromTypedArray(data, { dtype: "float64" }).dtype).toBe("float64");
    same((await compute(array.fromTypedArray([0.1, 0.2], { dtype: "float32" }))) as Float32Array, fround([0.1, 0.2]));

    const made: [ChunkedArray, ChunkedArray][] = [
      [array.linspace(0, 1, 11, { chunks: 4, dtype: "float32" }), array.linspace(0, 1, 11, { chunks: 4 })],
      [array.arange(0.1, 3, 0.3, { chunks: 3, dtype: "float32" }), array.arange(0.1, 3, 0.3, { chunks: 3 })],
      [array.full([3, 4], 0.1, { chunks: [2, 3], dtype: "float32" }), array.full([3, 4], 0.1, { chunks: [2, 3] })],
      [array.zeros([5], { dtype: "float32" }), array.zeros([5])],
      [
        array.random.uniform({ shape: [40, 3], chunks: [7, 2], seed: 5, dtype: "float32" }),
        array.random.uniform({ shape: [40, 3], chunks: [7, 2], seed: 5 }),
      ],
      [
        array.random.normal({ shape: [33], chunks: 8, seed: 6, dtype: "float32" }),
        array.random.normal({ shape: [33], chunks: 8, seed: 6 }),
      ],
    ];
    for (const [a32, a64] of made) {
      expect(a32.dtype).toBe("float32");
      const got = await compute(a32);
      expect(got).toBeInstanceOf(Float32Array);
      same(got as Float32Array, fround((await compute(a64)) as Float64Array));
    }
  });

  it("promotes as NumPy does: float32 with float32 or a number stays float32, with float64 it widens", () => {
    const a = array.ones([4], { dtype: "float32" });
    const b = array.ones([4]);
    expect(a.add(a).dtype).toBe("float32");
    expect(a.mul(2).dtype).toBe("float32");
    expect(array.sub(1, a).dtype).toBe("float32");
    expect(a.add(b).dtype).toBe("float64");
    expect(b.add(a).dtype).toBe("float64");
    expect(a.exp().dtype).toBe("float32");
    expect(array.where(a.gt(0), a, 0).dtype).toBe("float32");
    expect(array.where(a.gt(0), b, a).dtype).toBe("float64");
    expect(array.concatenate([a, a]).dtype).toBe("float32");
    expect(array.concatenate([a, b]).dtype).toBe("float64");
    expect(a.astype("float64").dtype).toBe("float64");
    expect(b.astype("float32").dtype).toBe("float32");
    expect(a.astype("float32")).toBe(a);
  });

  it("rounds at the edges as float32 does: overflow to infinity, NaN kept, tiny values to zero, empty arrays", async () => {
    // 3.4028235677973366e38 lies halfway between the largest float32 and 2^128: ties to even overflow
    const big = array.fromTypedArray([1e39, -1e39, NaN, 1e-46, 3.4e38, 0.1, 3.4028235677973366e38], { dtype: "float32" });
    const got = (await compute(big)) as Float32Array;
    same(got, Float32Array.of(Infinity, -Infinity, NaN, 0, Math.fround(3.4e38), Math.fround(0.1), Infinity));
    same((await compute(big.mul(2))) as Float32Array, Float32Array.of(Infinity, -Infinity, NaN, 0, Infinity, Math.fround(0.2), Infinity));
    const empty = array.zeros([0, 3], { dtype: "float32", chunks: [2, 3] });
    const e = await compute(empty.add(1));
    expect(e).toBeInstanceOf(Float32Array);
    expect((e as Float32Array).length).toBe(0);
    same((await compute(empty.sum(0))) as Float32Array, Float32Array.of(0, 0, 0));
    expect(await compute(empty.sum())).toBe(0);
  });

  it("rejects an unknown dtype, naming the argument and the choices", () => {
    expect(() => array.ones([3], { dtype: "int8" as never })).toThrow(ArgumentError);
    expect(() => array.ones([3], { dtype: "int8" as never })).toThrow(/dtype.*'float64', 'float32'/);
    expect(() => array.ones([3]).astype("float16" as never)).toThrow(/dtype/);
  });
});

describe("float32 arrays: every operation is the float64 one rounded (property)", () => {
  it("unary ops", async () => {
    await fc.assert(
      fc.asyncProperty(matrix, fc.constantFrom(...UNARY), async ({ x32, x64 }, op) => {
        const got = await compute(x32[op]());
        expect(got).toBeInstanceOf(Float32Array);
        same(got as Float32Array, fround((await compute(x64[op]())) as Float64Array));
      }),
      { numRuns: 40 },
    );
  });

  it("binary ops with arrays, numbers and broadcast rows", async () => {
    await fc.assert(
      fc.asyncProperty(
        matrix,
        fc.constantFrom(...BINARY),
        fc.double({ min: -3, max: 3, noNaN: true }),
        async ({ x32, x64, cols, data }, op, s) => {
          const row = Float32Array.from({ length: cols }, (_, j) => data[j] ?? j + 0.5);
          const r32 = array.fromTypedArray(row),
            r64 = array.fromTypedArray(Float64Array.from(row));
          const pairs: [ChunkedArray, ChunkedArray][] = [
            [x32[op](x32.mul(0.5)), x64[op](x64.mul(0.5).astype("float32").astype("float64"))],
            [x32[op](s), x64[op](s)],
            [x32[op](r32), x64[op](r64)],
          ];
          for (const [a, b] of pairs) {
            const got = await compute(a);
            expect(got).toBeInstanceOf(Float32Array);
            same(got as Float32Array, fround((await compute(b)) as Float64Array));
          }
          // with a float64 operand the result is float64, computed from the float32 values exactly
          same((await compute(x32[op](r64))) as Float64Array, (await compute(x64[op](r64))) as Float64Array);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reductions, products and layout", async () => {
    await fc.assert(
      fc.asyncProperty(matrix, async ({ x32, x64, rows, cols }) => {
        const w = Float32Array.from({ length: cols }, (_, j) => 0.5 - j / 3);
        const r = Float32Array.from({ length: rows }, (_, i) => (i % 3) - 1);
        const cases: [ChunkedArray, ChunkedArray][] = [
          [x32.sum(0), x64.sum(0)],
          [x32.max(1), x64.max(1)],
          [x32.matmul(array.fromTypedArray(w)), x64.matmul(array.fromTypedArray(Float64Array.from(w)))],
          [x32.T.matmul(array.fromTypedArray(r)), x64.T.matmul(array.fromTypedArray(Float64Array.from(r)))],
          [x32.gram(), x64.gram()],
          [x32.T, x64.T],
          [x32.rows(Math.floor(rows / 3), rows), x64.rows(Math.floor(rows / 3), rows)],
          [x32.columns([cols - 1, 0]), x64.columns([cols - 1, 0])],
          [x32.rechunk([3, cols]), x64.rechunk([3, cols])],
          [array.concatenate([x32, x32.neg()]), array.concatenate([x64, x64.neg()])],
        ];
        if (rows > 0) cases.push([x32.mean(0), x64.mean(0)], [x32.var(1), x64.var(1)], [x32.std(0), x64.std(0)]);
        for (const [a, b] of cases) {
          expect(a.dtype).toBe("float32");
          const got = await compute(a);
          expect(got).toBeInstanceOf(Float32Array);
          same(got as Float32Array, fround((await compute(b)) as Float64Array));
        }
        // a full reduction is a number, accumulated in float64
        expect(await compute(x32.sum())).toBe(await compute(x64.sum()));
      }),
      { numRuns: 30 },
    );
  });

  it("axis reductions and matrix-vector products read float32 chunks a block of rows at a time, across block edges", async () => {
    const rows = 20_011,
      cols = 3; // about two blocks of widened rows, and a ragged tail
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * 5);
    const x32 = array.fromTypedArray(data, { shape: [rows, cols], chunks: [15_000, cols] });
    const x64 = x32.astype("float64");
    for (const [a, b, exact] of [
      [x32.max(0), x64.max(0), true],
      [x32.min(1), x64.min(1), true],
      [x32.sum(1), x64.sum(1), true],
      [x32.sum(0), x64.sum(0), false],
      [x32.mean(0), x64.mean(0), false],
      [x32.matmul(array.fromTypedArray(Float32Array.of(0.5, -1, 2))), x64.matmul(array.fromTypedArray([0.5, -1, 2])), true],
      [x32.T.matmul(array.ones([rows], { dtype: "float32" })), x64.T.matmul(array.ones([rows])), false],
    ] as [ChunkedArray, ChunkedArray, boolean][]) {
      const got = (await compute(a)) as Float32Array,
        want = fround((await compute(b)) as Float64Array);
      if (exact) same(got, want);
      else
        for (let j = 0; j < want.length; j++)
          expect(Math.abs(got[j]! - want[j]!)).toBeLessThanOrEqual(2 ** -20 * Math.max(1, Math.abs(want[j]!)));
    }
  });

  it("a chain rounds after each operation, as NumPy's float32 arithmetic does", async () => {
    const data = Float32Array.from({ length: 1001 }, (_, i) => Math.fround(((i % 97) - 48) / 17 + 0.03));
    const x = array.fromTypedArray(data, { chunks: 128 });
    const got = (await compute(x.mul(3).add(1).mul(x).sub(0.25))) as Float32Array;
    const f = Math.fround;
    same(
      got,
      Float32Array.from(data, (v) => f(f(f(f(v * 3) + 1) * v) - 0.25)),
    );
  });
});

describe("float32 arrays: fusion, memory", () => {
  it("sum, min and max read float32 chunks directly, with the float64 reductions' results", async () => {
    const sync = await Runtime.start({ threads: 1 }); // kernels of this thread, to count calls
    try {
      const calls: Record<string, number> = {};
      for (const name of ["sumF32", "minF32", "maxF32", "widenF32"] as const) {
        const original = sync.kernels.raw[name] as (...a: number[]) => number | void;
        sync.kernels.override(name, ((...a: number[]) => {
          calls[name] = (calls[name] ?? 0) + 1;
          return original(...a);
        }) as never);
      }
      for (const n of [0, 1, 17, 5000]) {
        const values = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 1.3) * 100));
        if (n > 3) values[3] = -0; // a signed zero among them, and the extremes elsewhere
        // chunks in the runtime's memory, as stored arrays' chunks are
        const x32 = await array.fromTypedArray(values, { chunks: 1500 }).persist({ runtime: sync });
        const x64 = await array.fromTypedArray(Float64Array.from(values), { chunks: 1500 }).persist({ runtime: sync });
        // a full reduction is float64, as the float64 array's (the order of the additions may differ)
        const [s32, s64] = [await x32.sum().compute({ runtime: sync }), await x64.sum().compute({ runtime: sync })] as number[];
        expect(Math.abs(s32! - s64!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(s64!)));
        if (n > 0) {
          expect(await x32.min().compute({ runtime: sync })).toBe(await x64.min().compute({ runtime: sync }));
          expect(await x32.max().compute({ runtime: sync })).toBe(await x64.max().compute({ runtime: sync }));
        }
        x32.release();
        x64.release();
      }
      // one call per chunk (1, 1 and 4 chunks; an empty array has nothing to read), no widening
      expect(calls.sumF32).toBe(6);
      expect(calls.minF32).toBe(6);
      expect(calls.maxF32).toBe(6);
      expect(calls.widenF32 ?? 0).toBe(0);
    } finally {
      await sync.close();
    }
  });

  it("sum(exp(x) - 1/x) on float32 is still one task per chunk, and fused equals unfused bit for bit", async () => {
    const x = array.random.uniform({ shape: [1000], chunks: 100, seed: 1, low: 0.5, high: 1.5, dtype: "float32" });
    const y = x.exp().sub(x.reciprocal());
    const total = y.sum();
    const graph = new Graph([total.storageLayer]);
    const fused = compile(graph, total.storageLayer.keys());
    const unfused = compile(graph, total.storageLayer.keys(), { fusion: "none" });
    expect(fused.tasks).toHaveLength(13); // as for float64: the widening and rounding ride along
    expect(fused.tasks.filter((t) => isFused(t))).toHaveLength(10);
    const [a] = await rt.run(fused);
    const [b] = await rt.run(unfused);
    expect(a).toBe(b);
    const xs = (await compute(x)) as Float32Array;
    const f = Math.fround;
    const want = xs.reduce((s, v) => s + f(f(Math.exp(v)) - f(1 / v)), 0);
    expect(Math.abs((a as number) - want)).toBeLessThan(1e-4);

    // the elementwise result itself, fused (tiles) and unfused
    const keys = y.storageLayer.keys();
    const yg = new Graph([y.storageLayer]);
    const keep = async (fusion: "none" | undefined) => {
      const outs = (await rt.run(compile(yg, keys, fusion ? { fusion } : {}), {}, { outputs: "keep" })) as Allocation[];
      const values = Float32Array.from(outs.flatMap((o) => Array.from(o.f32())));
      for (const o of outs) o.free();
      return values;
    };
    same(await keep(undefined), await keep("none"));
  });

  it("chunks are stored in 4 bytes a value, and computing leaves no allocation behind", async () => {
    const before = rt.kernels.memory.stats();
    const x = await array.random.normal({ shape: [1000, 4], chunks: [300, 4], seed: 2, dtype: "float32" }).persist({ runtime: rt });
    const during = rt.kernels.memory.stats();
    expect(x.dtype).toBe("float32");
    expect(during.liveBytes - before.liveBytes).toBeLessThan(1000 * 4 * 4 + 4 * 64);
    expect(during.liveBytes - before.liveBytes).toBeGreaterThanOrEqual(1000 * 4 * 4);
    await compute(x.exp().sum(0));
    await compute(x.T.matmul(array.ones([1000], { dtype: "float32" })));
    expect(rt.kernels.memory.stats().liveBlocks).toBe(during.liveBlocks);
    x.release();
    expect(rt.kernels.memory.stats().liveBlocks).toBe(before.liveBlocks);
  });

  it("a GLM fits float32 data as the same values in float64", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 400, cols: 4, seed: 9, chunkRows: 150 });
    const X32 = X.astype("float32");
    const X64 = X32.astype("float64");
    const a = new glm.LogisticRegression({ solver: "lbfgs", lambda: 1, runtime: rt });
    const b = new glm.LogisticRegression({ solver: "lbfgs", lambda: 1, runtime: rt });
    await a.fit(X32, y);
    await b.fit(X64, y);
    same(a.coef!, b.coef!);
  });
});
