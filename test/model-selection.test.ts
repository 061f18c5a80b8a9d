/**
 * Transformers, splitting and scores against hand-computed values on small data (the first
 * parts of model selection; pipelines and grid search build on them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  KFold, MinMaxScaler, PolynomialFeatures, Runtime, StandardScaler, accuracy, array, logLoss, meanSquaredError, r2, rocAuc,
  selectRows, trainTestSplit, type ChunkedArray,
} from "../src/index.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});
const values = async (x: ChunkedArray) => Array.from((await x.compute({ runtime: rt })) as Float64Array);
const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));

const rows = [[1, 10, 5], [2, 20, 5], [3, 60, 5], [6, 30, 5]];
const X = () => array.fromRows(rows, { chunks: 3 });

describe("transformers", () => {
  it("StandardScaler: population standard deviation, scale 1 for a constant feature", async () => {
    const s = await new StandardScaler({ runtime: rt }).fit(X());
    close(Array.from(s.mean!), [3, 30, 5]);
    close(Array.from(s.scale!), [Math.sqrt(3.5), Math.sqrt(350), 1]);
    close(await values(s.transform(X())), rows.flatMap((r) => [(r[0]! - 3) / Math.sqrt(3.5), (r[1]! - 30) / Math.sqrt(350), 0]));
    expect(() => new StandardScaler().transform(X())).toThrow(/not fitted/);
    expect(() => s.transform(array.zeros([2, 2]))).toThrow(/3 features/);
  });

  it("MinMaxScaler maps each feature onto the range", async () => {
    const s = await new MinMaxScaler({ featureRange: [-1, 1], runtime: rt }).fit(X());
    close(await values(s.transform(X())), rows.flatMap((r) => [(r[0]! - 1) / 5 * 2 - 1, (r[1]! - 10) / 50 * 2 - 1, -1]));
    expect(() => new MinMaxScaler({ featureRange: [1, 1] })).toThrow(/low < high/);
  });

  it("PolynomialFeatures of degree 2 in scikit-learn's order", async () => {
    const p = await new PolynomialFeatures({ degree: 2 }).fit(array.fromRows([[2, 3], [1, -1]]));
    expect(p.featureNames()).toEqual(["1", "x0", "x1", "x0^2", "x0 x1", "x1^2"]);
    expect(await values(p.transform(array.fromRows([[2, 3], [1, -1]])))).toEqual([1, 2, 3, 4, 6, 9, 1, 1, -1, 1, -1, 1]);
    const inter = await new PolynomialFeatures({ degree: 2, interactionOnly: true, includeBias: false }).fit(array.fromRows([[2, 3]]));
    expect(inter.featureNames(["a", "b"])).toEqual(["a", "b", "a b"]);
  });
});

describe("splitting", () => {
  it("KFold covers every row once in test sets of near-equal size", () => {
    for (const shuffle of [false, true]) {
      const folds = new KFold({ nSplits: 3, shuffle, seed: 4 }).split(10);
      expect(folds.map((f) => f.test.length)).toEqual([4, 3, 3]);
      const seen = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
      for (const f of folds) expect(f.train.length + f.test.length).toBe(10);
    }
    expect(Array.from(new KFold({ nSplits: 2 }).split(4)[0]!.test)).toEqual([0, 1]);
    expect(() => new KFold({ nSplits: 5 }).split(3)).toThrow(/at least as many rows as folds/);
    expect(() => new KFold({ nSplits: 1 })).toThrow(/nSplits/);
  });

  it("selectRows gathers rows across chunks; trainTestSplit is reproducible", async () => {
    const x = array.arange(20, { chunks: 6 });
    expect(await values(selectRows(x, [0, 1, 2, 7, 8, 19, 3]))).toEqual([0, 1, 2, 7, 8, 19, 3]);
    const m = array.fromTypedArray(Float64Array.from({ length: 30 }, (_, i) => i), { shape: [10, 3], chunks: [4, 3] });
    expect(await values(selectRows(m, [9, 0, 5]))).toEqual([27, 28, 29, 0, 1, 2, 15, 16, 17]);
    const y = array.arange(10);
    const a = trainTestSplit(m, y, { testSize: 0.3, seed: 1 });
    const b = trainTestSplit(m, y, { testSize: 0.3, seed: 1 });
    expect(a.XTest.shape).toEqual([3, 3]);
    expect(await values(a.yTest)).toEqual(await values(b.yTest));
    const [train, test] = [await values(a.yTrain), await values(a.yTest)];
    expect([...train, ...test].sort((p, q) => p - q)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(() => trainTestSplit(m, y, { testSize: 10 })).toThrow(/testSize/);
  });
});

describe("scores", () => {
  it("match hand-computed values", () => {
    expect(accuracy([1, 0, 1, 1], [1, 1, 1, 0])).toBe(0.5);
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 14);
    // positives score 0.9, 0.4 (tie with a negative), negatives 0.4, 0.1: pairs 1 + 1 + 0.5 + 1 of 4
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.4, 0.4, 0.1])).toBe(0.875);
    expect(r2([1, 2, 3], [1, 2, 4])).toBeCloseTo(0.5, 14);
    expect(meanSquaredError([1, 2, 3], [1, 2, 4])).toBeCloseTo(1 / 3, 14);
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    expect(() => accuracy([1], [1, 0])).toThrow(/1 values like yTrue/);
  });
});
