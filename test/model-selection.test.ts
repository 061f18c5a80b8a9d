/**
 * Transformers, splitting and scores against hand-computed values on small data (the first
 * parts of model selection; pipelines and grid search build on them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  KFold,
  MinMaxScaler,
  PolynomialFeatures,
  Runtime,
  StandardScaler,
  accuracy,
  array,
  logLoss,
  meanSquaredError,
  r2,
  rocAuc,
  trainTestSplit,
  type ChunkedArray,
} from "../src/index.js";
import { selectRows } from "../src/model_selection/index.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});
const values = async (x: ChunkedArray) => Array.from((await x.compute({ runtime: rt })) as Float64Array);
const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));

const rows = [
  [1, 10, 5],
  [2, 20, 5],
  [3, 60, 5],
  [6, 30, 5],
];
const X = () => array.fromRows(rows, { chunks: 3 });

describe("transformers", () => {
  it("StandardScaler: population standard deviation, scale 1 for a constant feature", async () => {
    const s = await new StandardScaler({ runtime: rt }).fit(X());
    close(Array.from(s.mean!), [3, 30, 5]);
    close(Array.from(s.scale!), [Math.sqrt(3.5), Math.sqrt(350), 1]);
    close(
      await values(s.transform(X())),
      rows.flatMap((r) => [(r[0]! - 3) / Math.sqrt(3.5), (r[1]! - 30) / Math.sqrt(350), 0]),
    );
    expect(() => new StandardScaler().transform(X())).toThrow(/not fitted/);
    expect(() => s.transform(array.zeros([2, 2]))).toThrow(/3 features/);
  });

  it("MinMaxScaler maps each feature onto the range", async () => {
    const s = await new MinMaxScaler({ featureRange: [-1, 1], runtime: rt }).fit(X());
    close(
      await values(s.transform(X())),
      rows.flatMap((r) => [((r[0]! - 1) / 5) * 2 - 1, ((r[1]! - 10) / 50) * 2 - 1, -1]),
    );
    expect(() => new MinMaxScaler({ featureRange: [1, 1] })).toThrow(/low < high/);
  });

  it("PolynomialFeatures of degree 2 in scikit-learn's order", async () => {
    const p = await new PolynomialFeatures({ degree: 2 }).fit(
      array.fromRows([
        [2, 3],
        [1, -1],
      ]),
    );
    expect(p.featureNames()).toEqual(["1", "x0", "x1", "x0^2", "x0 x1", "x1^2"]);
    expect(
      await values(
        p.transform(
          array.fromRows([
            [2, 3],
            [1, -1],
          ]),
        ),
      ),
    ).toEqual([1, 2, 3, 4, 6, 9, 1, 1, -1, 1, -1, 1]);
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
    const m = array.fromTypedArray(
      Float64Array.from({ length: 30 }, (_, i) => i),
      { shape: [10, 3], chunks: [4, 3] },
    );
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

  it("selectRows passes whole chunks through without copying them, and leaves persisted data intact", async () => {
    const m = await array
      .fromTypedArray(
        Float64Array.from({ length: 40 }, (_, i) => i),
        { shape: [10, 4], chunks: [2, 4] },
      )
      .persist({ runtime: rt });
    // KFold's contiguous folds on chunk boundaries: rows 2..9 are chunks 1..4 as they are
    const picked = selectRows(m, [2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...picked.layer.tasks()].map((t) => t.op)).toEqual(["identity", "identity", "identity", "identity"]);
    expect(await values(picked)).toEqual(Array.from({ length: 32 }, (_, i) => i + 8));
    // a partial chunk is gathered
    expect([...selectRows(m, [3, 4, 5]).layer.tasks()].map((t) => t.op)).toEqual(["assemble", "assemble"]);
    // computing the pass-through did not free the persisted chunks
    expect(await values(m.sum(1))).toEqual([6, 22, 38, 54, 70, 86, 102, 118, 134, 150]);
    m.release();
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

import { GridSearchCV, Pipeline, glm as glmNs } from "../src/index.js";

describe("pipelines and grid search", () => {
  const problem = () => array.random.logisticProblem({ rows: 400, cols: 6, seed: 9, chunkRows: 100 });

  it("a pipeline fits, predicts and addresses parameters as step__param", async () => {
    const { X, y } = problem();
    const pipe = new Pipeline([
      ["scale", new StandardScaler()],
      ["clf", new glmNs.LogisticRegression({ lambda: 1, runtime: rt })],
    ]);
    expect(Object.keys(pipe.getParams())).toEqual(expect.arrayContaining(["scale__withMean", "clf__lambda", "clf__solver"]));
    pipe.setParams({ clf__lambda: 3 });
    expect(pipe.final.options.lambda).toBe(3);
    await pipe.fit(X, y);
    expect(await pipe.score(X, y)).toBeGreaterThan(0.6);
    expect(() => pipe.setParams({ clf__lamda: 1 })).toThrow(/clf__lambda/);
    expect(
      () =>
        new Pipeline([
          ["clf", new glmNs.LogisticRegression()],
          ["scale", new StandardScaler()],
        ]),
    ).toThrow(/transformer/);
  });

  it("fits the scaler once per fold, shared by every lambda", async () => {
    let fits = 0;
    class CountingScaler extends StandardScaler {
      override async fit(X: ChunkedArray): Promise<this> {
        fits += 1;
        return super.fit(X);
      }
    }
    const { X, y } = problem();
    const lambdas = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000];
    const search = new GridSearchCV(
      new Pipeline([
        ["scale", new CountingScaler()],
        ["clf", new glmNs.LogisticRegression()],
      ]),
      { clf__lambda: lambdas },
      { cv: 5, runtime: rt, refit: false },
    );
    await search.fit(X, y);
    expect(fits).toBe(5);
    expect(search.transformerFits.get("scale")).toBe(5);
    expect(search.cvResults).toHaveLength(10);
    expect(search.bestParams).toBeDefined();
  });

  it("gives each candidate the score it gets alone", async () => {
    const { X, y } = problem();
    const grid = { scale__withMean: [true, false], clf__lambda: [0.5, 5, 50] };
    const base = new Pipeline([
      ["scale", new StandardScaler()],
      ["clf", new glmNs.LogisticRegression({ tol: 1e-11 })],
    ]);
    const search = await new GridSearchCV(base, grid, { cv: 3, scoring: "log_loss", runtime: rt }).fit(X, y);
    const folds = new KFold({ nSplits: 3 }).split(400);
    for (const r of search.cvResults) {
      const alone: number[] = [];
      for (const fold of folds) {
        const p = base.clone().setParams(r.params);
        p.final.options.runtime = rt;
        await p.fit(selectRows(X, fold.train), selectRows(y, fold.train));
        const proba = await p.predictProba(selectRows(X, fold.test));
        alone.push(-logLoss((await selectRows(y, fold.test).compute({ runtime: rt })) as Float64Array, proba));
      }
      r.testScores.forEach((s, f) => expect(s).toBeCloseTo(alone[f]!, 6));
    }
    expect(search.bestEstimator).toBeInstanceOf(Pipeline);
    expect((await (search.bestEstimator as Pipeline).predict(X)).length).toBe(400);
  });

  it("names the valid choices for bad input", async () => {
    const clf = new glmNs.LogisticRegression({ runtime: rt });
    expect(() => new GridSearchCV(clf, { lamda: [1] })).toThrow(/parameter names among .*lambda/);
    expect(() => new GridSearchCV(clf, {})).toThrow(/non-empty/);
    expect(() => new GridSearchCV(clf, { lambda: [] })).toThrow(/non-empty list/);
    expect(() => new GridSearchCV(clf, { lambda: [1] }, { scoring: "r2" })).toThrow(
      /classifier scorer: one of accuracy, log_loss, roc_auc/,
    );
    const small = array.fromRows([[1], [2], [3]]);
    await expect(
      new GridSearchCV(clf, { lambda: [1] }, { cv: 5, runtime: rt }).fit(small, array.fromTypedArray([0, 1, 0])),
    ).rejects.toThrow(/at least as many rows as folds/);
  });
});
