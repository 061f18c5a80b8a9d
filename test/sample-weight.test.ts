/**
 * Sample weights (fit's and score's `sampleWeight`, the metrics', grid search's) against optima
 * found without them: a fit with whole-number weights is the unweighted fit on the rows repeated
 * that many times, a weight of 0 is the row dropped, weights of 1 are no weights at all; a
 * weighted metric is the metric on the repeated rows. Every solver, every family. Bad weights
 * are refused with the argument named.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Runtime,
  array,
  glm,
  GridSearchCV,
  KFold,
  accuracy,
  logLoss,
  meanSquaredError,
  r2,
  rocAuc,
  type LogisticRegression,
} from "../src/index.js";
import { d2Poisson } from "../src/metrics/index.js";
import type { FitWarning } from "../src/glm/options.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

const SOLVERS = ["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"] as const;
const ESTIMATORS = { logistic: glm.LogisticRegression, normal: glm.LinearRegression, poisson: glm.PoissonRegression } as const;
type FamilyName = keyof typeof ESTIMATORS;

/** A small problem of each family: rows, labels, and whole-number weights 0..3 (some rows 0). */
function problem(family: FamilyName, rows = 150, p = 3, seed = 11) {
  let s = seed;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const X: number[][] = [],
    y: number[] = [],
    w: number[] = [];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: p }, (_, j) => (2 * random() - 1) * (j + 1));
    const eta = 0.3 + x.reduce((a, v, j) => a + v * (j % 2 ? -0.5 : 0.7), 0);
    X.push(x);
    if (family === "logistic") y.push(random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
    else if (family === "poisson") y.push(Math.floor(Math.exp(0.5 * eta) + 2 * random()));
    else y.push(eta + random() - 0.5);
    w.push(Math.floor(4 * random()));
  }
  return { X, y, w };
}

/** Each row repeated as often as its (whole-number) weight says: 0 drops it. */
function repeated(X: number[][], y: number[], w: readonly number[]) {
  const Xr: number[][] = [],
    yr: number[] = [];
  X.forEach((row, i) => {
    for (let k = 0; k < w[i]!; k++) {
      Xr.push(row);
      yr.push(y[i]!);
    }
  });
  return { X: Xr, y: yr };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const all = (m: { coef?: Float64Array; intercept: number }) => [...m.coef!, m.intercept];

describe("a weighted problem is the problem of the repeated rows", () => {
  it("loss, gradient and Hessian (with and without an intercept), every family", async () => {
    for (const family of ["logistic", "normal", "poisson"] as const) {
      for (const fitIntercept of [true, false]) {
        const { X, y, w } = problem(family, 90, 3, 13);
        const rep = repeated(X, y, w);
        const model = new ESTIMATORS[family]({ runtime: rt, fitIntercept, chunkRows: 20 });
        const weighted = await model.createProblem(X, y, w);
        const reference = await model.createProblem(rep.X, rep.y);
        try {
          const beta = Float64Array.from({ length: weighted.n }, (_, j) => 0.2 - 0.15 * j);
          const a = await weighted.lossGrad(beta),
            b = await reference.lossGrad(beta);
          const label = `${family}, intercept ${fitIntercept}`;
          expect(a.loss / b.loss - 1, label).toBeLessThan(1e-13);
          expect(maxDiff(a.grad, b.grad), label).toBeLessThan(1e-11 * Math.max(1, ...Array.from(b.grad, Math.abs)));
          expect((await weighted.loss(beta.map((v) => v / 2))) / (await reference.loss(beta.map((v) => v / 2))) - 1, label).toBeLessThan(
            1e-13,
          );
          const Ha = await weighted.hessian(beta),
            Hb = await reference.hessian(beta);
          expect(maxDiff(Ha, Hb), label).toBeLessThan(1e-11 * Math.max(...Array.from(Hb, Math.abs)));
          expect(weighted.totalWeight, label).toBe(rep.X.length);
        } finally {
          weighted.release();
          reference.release();
        }
      }
    }
  });
});

describe("a weighted fit is the unweighted fit on repeated rows", () => {
  for (const family of ["logistic", "normal", "poisson"] as const) {
    it(`${family}: every solver, whole-number weights (0 drops a row)`, async () => {
      const { X, y, w } = problem(family);
      const rep = repeated(X, y, w);
      for (const solver of SOLVERS) {
        for (const regularizer of solver === "proximal_grad" || solver === "admm" ? (["l2", "elastic_net"] as const) : (["l2"] as const)) {
          const options = { solver, regularizer, lambda: 2, runtime: rt, maxIter: 5000, tol: 1e-10 };
          const weighted = await new ESTIMATORS[family](options).fit(X, y, { sampleWeight: w });
          const reference = await new ESTIMATORS[family](options).fit(rep.X, rep.y);
          const label = `${family} ${solver} ${regularizer}`;
          expect(weighted.converged, label).toBe(true);
          expect(reference.converged, label).toBe(true);
          expect(Math.abs(weighted.objective - reference.objective) / reference.objective, label).toBeLessThan(1e-9);
          expect(maxDiff(all(weighted), all(reference)), label).toBeLessThan(1e-6);
        }
      }
    });
  }

  it("rows of weight 0 are rows dropped, whatever their values", async () => {
    for (const family of ["logistic", "normal", "poisson"] as const) {
      const { X, y } = problem(family, 120, 4, 5);
      const w = X.map((_, i) => (i % 3 === 0 ? 0 : 1));
      const kept = repeated(X, y, w);
      for (const solver of ["lbfgs", "newton", "admm"] as const) {
        const options = { solver, lambda: 0.5, runtime: rt, maxIter: 5000, tol: 1e-10, chunkRows: 25 };
        const weighted = await new ESTIMATORS[family](options).fit(X, y, { sampleWeight: w });
        const dropped = await new ESTIMATORS[family](options).fit(kept.X, kept.y);
        expect(maxDiff(all(weighted), all(dropped)), `${family} ${solver}`).toBeLessThan(1e-6);
      }
    }
  });

  it("weights of 1 give the unweighted fit's numbers, every solver", async () => {
    for (const family of ["logistic", "normal", "poisson"] as const) {
      const { X, y } = problem(family, 100, 3, 3);
      const ones = new Float64Array(X.length).fill(1);
      for (const solver of SOLVERS) {
        const options = { solver, lambda: 1, runtime: rt, chunkRows: 30 };
        const a = await new ESTIMATORS[family](options).fit(X, y, { sampleWeight: ones });
        const b = await new ESTIMATORS[family](options).fit(X, y);
        expect(a.nIter, `${family} ${solver}`).toBe(b.nIter);
        expect(a.objective, `${family} ${solver}`).toBe(b.objective);
        expect(all(a), `${family} ${solver}`).toEqual(all(b));
      }
    }
  });

  it("scaling every weight by c is scaling lambda by 1 / c", async () => {
    const { X, y, w } = problem("logistic", 150, 3, 17);
    const options = { runtime: rt, maxIter: 5000, tol: 1e-10 };
    const a = await new glm.LogisticRegression({ ...options, lambda: 1 }).fit(X, y, { sampleWeight: w.map((v) => 1e-3 * v) });
    const b = await new glm.LogisticRegression({ ...options, lambda: 1000 }).fit(X, y, { sampleWeight: w });
    expect(maxDiff(all(a), all(b))).toBeLessThan(1e-6);
  });

  it("takes weights as a number[], a Float64Array or a ChunkedArray chunked unlike X, with the same fit", async () => {
    const { X, y, w } = problem("poisson", 130, 3, 23);
    const Xa = array.fromTypedArray(Float64Array.from(X.flat()), { shape: [X.length, 3], chunks: [40, 3] });
    const options = { lambda: 1, runtime: rt };
    const a = await new glm.PoissonRegression(options).fit(X, y, { sampleWeight: w });
    const b = await new glm.PoissonRegression(options).fit(Xa, Float64Array.from(y), { sampleWeight: Float64Array.from(w) });
    const c = await new glm.PoissonRegression(options).fit(Xa, y, {
      sampleWeight: array.fromTypedArray(Float64Array.from(w), { chunks: [33] }),
    });
    expect(maxDiff(all(a), all(b))).toBeLessThan(1e-9);
    expect(all(c)).toEqual(all(b));
  });

  it("a row of weight 0 does not hide separable classes", async () => {
    // separable by x0 > 0, except one row of weight 0 on the wrong side
    const X = [[-2], [-1], [-0.5], [0.5], [1], [2], [1.5]];
    const y = [0, 0, 0, 1, 1, 1, 0];
    const w = [1, 1, 1, 1, 1, 1, 0];
    const warnings: FitWarning[] = [];
    const model = await new glm.LogisticRegression({ regularizer: "none", runtime: rt }).fit(X, y, {
      sampleWeight: w,
      onWarning: (warning) => warnings.push(warning),
    });
    expect(model.converged).toBe(false);
    expect(warnings.map((x) => x.code)).toContain("WEFT_NO_FINITE_OPTIMUM");
  });
});

describe("weighted scores", () => {
  const yTrue = [0, 1, 1, 0, 1, 0, 1, 1];
  const proba = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2]; // ties at 0.4 across the classes
  const w = [1, 2, 0, 3, 1, 2, 1, 4];
  const rep = <T>(values: readonly T[]) => values.flatMap((v, i) => new Array<T>(w[i]!).fill(v));

  it("every metric equals the metric on the rows repeated by their weights", () => {
    const pred = proba.map((p) => (p >= 0.5 ? 1 : 0));
    expect(accuracy(yTrue, pred, { sampleWeight: w })).toBeCloseTo(accuracy(rep(yTrue), rep(pred)), 15);
    expect(logLoss(yTrue, proba, { sampleWeight: w })).toBeCloseTo(logLoss(rep(yTrue), rep(proba)), 14);
    expect(rocAuc(yTrue, proba, { sampleWeight: w })).toBeCloseTo(rocAuc(rep(yTrue), rep(proba)), 15);
    const counts = [0, 3, 1, 2, 5, 0, 1, 2],
      mu = [0.5, 2.5, 1, 2.2, 3.9, 0.1, 1.4, 1.5];
    expect(r2(counts, mu, { sampleWeight: w })).toBeCloseTo(r2(rep(counts), rep(mu)), 14);
    expect(meanSquaredError(counts, mu, { sampleWeight: w })).toBeCloseTo(meanSquaredError(rep(counts), rep(mu)), 14);
    expect(d2Poisson(counts, mu, { sampleWeight: w })).toBeCloseTo(d2Poisson(rep(counts), rep(mu)), 14);
    // the clipping still applies beside the weights
    expect(logLoss([1], [0], { eps: 1e-3, sampleWeight: [2] })).toBeCloseTo(-Math.log(1e-3), 14);
  });

  it("weighted ROC AUC by hand: pairs count by the product of their weights, ties half", () => {
    // positives 0.4 (w 2), 0.35 (w 1); negatives 0.1 (w 1), 0.4 (w 3): 2*1 + 1*1 + 0.5*2*3 over 3*4
    expect(rocAuc([1, 1, 0, 0], [0.4, 0.35, 0.1, 0.4], { sampleWeight: [2, 1, 1, 3] })).toBe(6 / 12);
    expect(rocAuc([1, 1, 0, 0], [0.4, 0.35, 0.1, 0.4])).toBe(2.5 / 4); // unweighted, as before
  });

  it("estimators' score(X, y, { sampleWeight }) equals the score on repeated rows", async () => {
    for (const family of ["logistic", "normal", "poisson"] as const) {
      const { X, y, w } = problem(family, 80, 3, 31);
      const model = await new ESTIMATORS[family]({ lambda: 1, runtime: rt }).fit(X, y);
      const r = repeated(X, y, w);
      expect(await model.score(X, y, { sampleWeight: w }), family).toBeCloseTo(await model.score(r.X, r.y), 12);
      const chunked = array.fromTypedArray(Float64Array.from(w), { chunks: [30] });
      expect(await model.score(X, y, { sampleWeight: chunked }), family).toBe(await model.score(X, y, { sampleWeight: w }));
    }
  });
});

describe("grid search with sample weights", () => {
  it("fits and scores every fold with its rows' weights, and refits the best with all of them", async () => {
    const { X, y, w } = problem("logistic", 120, 3, 41);
    const Xa = array.fromTypedArray(Float64Array.from(X.flat()), { shape: [X.length, 3], chunks: [50, 3] });
    const ya = array.fromTypedArray(Float64Array.from(y));
    const cv = new KFold({ nSplits: 3 });
    const lambdas = [10, 0.1];
    const search = await new GridSearchCV(
      new glm.LogisticRegression({ tol: 1e-10 }),
      { lambda: lambdas },
      { cv, runtime: rt, scoring: "log_loss" },
    ).fit(Xa, ya, { sampleWeight: w });
    // the same by hand: each fold's training rows fitted with their weights, its test rows scored with theirs
    for (const lambda of lambdas) {
      for (const [f, fold] of cv.split(X.length).entries()) {
        const pick = <T>(values: readonly T[], rows: Int32Array) => Array.from(rows, (r) => values[r]!);
        const model = await new glm.LogisticRegression({ lambda, tol: 1e-10, runtime: rt }).fit(pick(X, fold.train), pick(y, fold.train), {
          sampleWeight: pick(w, fold.train),
        });
        const proba = await model.predictProba(pick(X, fold.test));
        const want = -logLoss(pick(y, fold.test), proba, { sampleWeight: pick(w, fold.test) });
        const row = search.cvResults.find((r) => r.params.lambda === lambda)!;
        expect(row.testScores[f], `lambda ${lambda}, fold ${f}`).toBeCloseTo(want, 6);
      }
    }
    const best = await new glm.LogisticRegression({ lambda: search.bestParams!.lambda as number, tol: 1e-10, runtime: rt }).fit(X, y, {
      sampleWeight: w,
    });
    expect(maxDiff(all(search.bestEstimator as LogisticRegression), all(best))).toBeLessThan(1e-6);
  });
});

describe("bad weights", () => {
  const X = [[0], [1], [2], [3]],
    y = [0, 1, 0, 1];
  const fit = (sampleWeight: unknown) => new glm.LogisticRegression({ runtime: rt }).fit(X, y, { sampleWeight: sampleWeight as number[] });

  it("fit refuses them, naming sampleWeight", async () => {
    await expect(fit([1, -1, 1, 1])).rejects.toThrow(/'sampleWeight' must be finite weights >= 0; received "-1 at row 1"/);
    await expect(fit([1, NaN, 1, 1])).rejects.toThrow(/'sampleWeight' must be finite weights >= 0; received "NaN at row 1"/);
    await expect(fit([1, 1, Infinity, 1])).rejects.toThrow(/'sampleWeight' must be finite weights >= 0; received "Infinity at row 2"/);
    await expect(fit([0, 0, 0, 0])).rejects.toThrow(/'sampleWeight' must be weights >= 0 with a finite sum > 0/);
    await expect(fit([1e308, 1e308, 1, 1])).rejects.toThrow(/'sampleWeight' must be weights >= 0 with a finite sum > 0/);
    await expect(fit([1, 1, 1])).rejects.toThrow(/'sampleWeight' must be a 1-D array of 4 values/);
    await expect(fit("1111")).rejects.toThrow(/'sampleWeight' must be a ChunkedArray, an array of numbers or a Float64Array/);
    await expect(fit([1, "2", 1, 1])).rejects.toThrow(/'sampleWeight' must be an array of numbers/);
    await expect(fit(array.zeros([4, 1]))).rejects.toThrow(/'sampleWeight' must be a 1-D array of 4 values/);
  });

  it("score, the metrics and grid search refuse them too", async () => {
    const model = await new glm.LogisticRegression({ runtime: rt }).fit(X, y);
    await expect(model.score(X, y, { sampleWeight: [1, 1] })).rejects.toThrow(/score: argument 'sampleWeight' must be 4 values/);
    await expect(model.score(X, y, { sampleWeight: [1, 1, -2, 1] })).rejects.toThrow(/'sampleWeight' must be weights >= 0/);
    await expect(model.score(X, y, { weights: [1, 1, 1, 1] } as never)).rejects.toThrow(/'weights' must be one of the known options/);
    expect(() => accuracy([1, 0], [1, 0], { sampleWeight: [1] })).toThrow(
      /^accuracy: argument 'sampleWeight' must be 2 weights like yTrue/,
    );
    expect(() => r2([1, 0], [1, 0], { sampleWeight: [0, 0] })).toThrow(
      /^r2: argument 'sampleWeight' must be weights >= 0 with a finite sum > 0/,
    );
    expect(() => meanSquaredError([1, 0], [1, 0], { sampleWeight: [1, NaN] })).toThrow(/'sampleWeight' must be finite numbers/);
    expect(() => logLoss([1, 0], [0.5, 0.5], { sampleWeight: [1, -1] })).toThrow(/^logLoss: argument 'sampleWeight' must be weights >= 0/);
    expect(() => rocAuc([1, 0], [0.5, 0.4], { sampleWeight: [0, 1] })).toThrow(/both classes .*one class only with weight > 0/);
    expect(() => d2Poisson([1, 0], [1, 1], { weights: [1, 1] } as never)).toThrow(/'weights' must be one of the known options/);
    const search = new GridSearchCV(new glm.LogisticRegression(), { lambda: [1] }, { cv: 2, runtime: rt });
    const Xa = array.fromTypedArray(Float64Array.from(X.flat()), { shape: [4, 1] });
    await expect(search.fit(Xa, array.fromTypedArray(Float64Array.from(y)), { sampleWeight: [1, 1, 1] })).rejects.toThrow(
      /GridSearchCV.fit: argument 'sampleWeight' must be 4 values/,
    );
    await expect(search.fit(Xa, array.fromTypedArray(Float64Array.from(y)), { sampleWeight: [1, 1, -1, 1] })).rejects.toThrow(
      /GridSearchCV.fit: argument 'sampleWeight' must be weights >= 0/,
    );
  });
});
