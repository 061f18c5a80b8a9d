/**
 * Bad input to model selection and the GLM estimators that the sweep's tables
 * (bad-inputs.test.ts) leave out: `new KFold().split(2 ** 32)` built 2^32 Int32 row indices (16
 * GiB) and the process was killed for it, so those cases could not sit in a table; here they are
 * refused, naming the row count, before anything is allocated. Also the scores on a constant
 * truth, which follow scikit-learn's force_finite (1 for a perfect prediction, else 0).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArgumentError, KFold, Runtime, array, glm, r2, trainTestSplit } from "../../src/index.js";
import { permutation } from "../../src/model_selection/index.js";

/** The ArgumentError `fn` throws (it must throw one). */
function argumentErrorOf(fn: () => unknown): ArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error("expected an ArgumentError, got a result");
}

/** Bytes of ArrayBuffers grown while `fn` runs: a refusal must come before the allocation. */
function arrayBytesDuring(fn: () => void): number {
  const before = process.memoryUsage().arrayBuffers;
  fn();
  return process.memoryUsage().arrayBuffers - before;
}

describe("row counts past what Int32 row indices hold are refused before allocating", () => {
  it("KFold.split(2 ** 32) names 'rows' (it allocated 16 GiB and the process was killed)", () => {
    let error: ArgumentError | undefined;
    const grown = arrayBytesDuring(() => {
      error = argumentErrorOf(() => new KFold({ nSplits: 2 }).split(2 ** 32));
    });
    expect(error!.argument).toBe("rows");
    expect(error!.message).toMatch(/at most 2147483647 rows/);
    expect(grown).toBeLessThan(64 * 2 ** 20);
  });

  it("KFold.split just past the limit, 2 ** 31, and shuffled", () => {
    expect(argumentErrorOf(() => new KFold({ nSplits: 2 }).split(2 ** 31)).argument).toBe("rows");
    expect(argumentErrorOf(() => new KFold({ nSplits: 3, shuffle: true, seed: 1 }).split(2 ** 40)).argument).toBe("rows");
  });

  it("permutation(2 ** 32) names n", () => {
    expect(argumentErrorOf(() => permutation(2 ** 32, 1)).argument).toBe("n");
    expect(argumentErrorOf(() => permutation(-1)).argument).toBe("n");
  });

  it("trainTestSplit of a lazy 2^32-row array names X, without computing or allocating it", () => {
    const X = array.zeros([2 ** 32], { chunks: 2 ** 24 });
    const y = array.zeros([2 ** 32], { chunks: 2 ** 24 });
    let error: ArgumentError | undefined;
    const grown = arrayBytesDuring(() => {
      error = argumentErrorOf(() => trainTestSplit(X, y, { testSize: 0.5 }));
    });
    expect(error!.argument).toBe("X");
    expect(error!.message).toMatch(/at most 2147483647 rows/);
    expect(grown).toBeLessThan(64 * 2 ** 20);
  });

  it("small splits are as before: every row once in a test set", () => {
    const folds = new KFold({ nSplits: 3, shuffle: true, seed: 2 }).split(10);
    expect(folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const f of folds) expect(f.train.length + f.test.length).toBe(10);
  });
});

describe("scores on a constant truth follow scikit-learn (force_finite), never -Infinity or NaN", () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await Runtime.start({ threads: 1 });
  });
  afterAll(async () => {
    await rt.close();
  });

  it("r2: 1 for a perfect prediction of a constant, 0 for any other", () => {
    expect(r2([2, 2, 2], [2, 2, 2])).toBe(1);
    expect(r2([2, 2, 2], [2, 2, 3])).toBe(0);
  });

  it("LinearRegression.score and PoissonRegression.score on a constant y are 0 or 1; one row is refused naming y", async () => {
    const X = [
      [0.5, 1],
      [1.5, -1],
      [2, 0.3],
      [-1, 2],
    ];
    const linear = await new glm.LinearRegression({ runtime: rt }).fit(X, [0, 1, 1, 0]);
    expect([0, 1]).toContain(await linear.score(X, [1, 1, 1, 1]));
    const poisson = await new glm.PoissonRegression({ runtime: rt }).fit(X, [0, 1, 2, 0]);
    expect([0, 1]).toContain(await poisson.score(X, [1, 1, 1, 1]));
    await expect(linear.score([[1, 1]], [1])).rejects.toMatchObject({ name: "ArgumentError", argument: "y" });
  });
});
