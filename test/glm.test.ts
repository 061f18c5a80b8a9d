/**
 * GLM solvers and estimators against known optima: closed-form normal equations for linear
 * regression, scikit-learn's optima (test/fixtures/glm-sklearn.json, made by
 * make_glm_fixtures.py), agreement of all five solvers, the KKT conditions of L1 solutions,
 * monotone descent, and every kind of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ArgumentError, Runtime, array, glm, type ChunkedArray } from "../src/index.js";

interface Fixture { name: string; lambda: number; X: number[][]; y: number[]; coef: number[]; intercept: number }
const fixtures = (JSON.parse(readFileSync(new URL("./fixtures/glm-sklearn.json", import.meta.url), "utf8")) as { problems: Fixture[] }).problems;
const fixture = (name: string) => fixtures.find((f) => f.name === name)!;

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

const TIGHT = { maxIter: 5000, tol: 1e-14, gtol: 1e-10 };
const relErr = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - want[i]!));
    den = Math.max(den, Math.abs(want[i]!));
  }
  return num / Math.max(den, 1e-300);
};
const withIntercept = (m: { coef?: Float64Array; intercept: number }) => [...m.coef!, m.intercept];

describe("linear regression", () => {
  it("matches the normal equations (and Ridge) with every smooth solver", async () => {
    for (const name of ["linear-l2-0.0", "linear-l2-3.0"]) {
      const f = fixture(name);
      const n = f.X.length, p = f.X[0]!.length;
      // closed form: (A^T A + lambda I') b = A^T y with A = [X 1], I' without the intercept
      const A = f.X.map((r) => [...r, 1]);
      const M = Array.from({ length: p + 1 }, (_, i) => Array.from({ length: p + 1 }, (_, j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0) + (i === j && i < p ? f.lambda : 0)));
      const rhs = Array.from({ length: p + 1 }, (_, i) => A.reduce((s, r, k) => s + r[i]! * f.y[k]!, 0));
      // Gaussian elimination
      for (let c = 0; c <= p; c++) {
        for (let r = c + 1; r <= p; r++) {
          const m = M[r]![c]! / M[c]![c]!;
          for (let k = c; k <= p; k++) M[r]![k] = M[r]![k]! - m * M[c]![k]!;
          rhs[r] = rhs[r]! - m * rhs[c]!;
        }
      }
      const exact = new Array<number>(p + 1);
      for (let r = p; r >= 0; r--) exact[r] = (rhs[r]! - M[r]!.slice(r + 1).reduce((s, v, k) => s + v * exact[r + 1 + k]!, 0)) / M[r]![r]!;
      expect(relErr([...f.coef, f.intercept], exact)).toBeLessThan(1e-6); // scikit-learn's Ridge agrees
      for (const solver of ["newton", "lbfgs", "gradient_descent", "proximal_grad"] as const) {
        const model = await new glm.LinearRegression({ solver, regularizer: f.lambda ? "l2" : "none", lambda: f.lambda, runtime: rt, ...TIGHT }).fit(f.X, f.y);
        expect(relErr(withIntercept(model), exact), `${name} ${solver}`).toBeLessThan(1e-6);
      }
      void n;
    }
  });
});

describe("logistic and Poisson regression against scikit-learn", () => {
  it("L2: all five solvers agree to 1e-6, at scikit-learn's optimum", async () => {
    for (const name of ["logistic-l2-0.5", "logistic-l2-5.0"]) {
      const f = fixture(name);
      const reference = await new glm.LogisticRegression({ solver: "newton", lambda: f.lambda, runtime: rt, ...TIGHT }).fit(f.X, f.y);
      // scikit-learn's lbfgs stops a little short of the optimum Newton reaches
      expect(relErr(withIntercept(reference), [...f.coef, f.intercept]), name).toBeLessThan(1e-5);
      for (const solver of ["lbfgs", "gradient_descent", "proximal_grad", "admm"] as const) {
        const extra = solver === "admm" ? { abstol: 1e-12, reltol: 1e-12 } : {};
        const model = await new glm.LogisticRegression({ solver, lambda: f.lambda, runtime: rt, ...TIGHT, ...extra, chunkRows: 40 }).fit(f.X, f.y);
        expect(relErr(withIntercept(model), withIntercept(reference)), `${name} ${solver}`).toBeLessThan(1e-6);
      }
    }
  });

  it("Poisson L2: Newton and L-BFGS reach scikit-learn's optimum", async () => {
    const f = fixture("poisson-l2-2.0");
    for (const solver of ["newton", "lbfgs"] as const) {
      const model = await new glm.PoissonRegression({ solver, lambda: f.lambda, runtime: rt, ...TIGHT }).fit(f.X, f.y);
      expect(relErr(withIntercept(model), [...f.coef, f.intercept]), solver).toBeLessThan(1e-6);
    }
  });

  it("L1: exact zeros, the KKT conditions, and scikit-learn's optimum", async () => {
    const f = fixture("logistic-l1-8.0");
    for (const fista of [false, true]) {
      const model = await new glm.LogisticRegression({ regularizer: "l1", lambda: f.lambda, runtime: rt, fista, ...TIGHT }).fit(f.X, f.y);
      expect(relErr(withIntercept(model), [...f.coef, f.intercept])).toBeLessThan(1e-5);
      const zeros = [...model.coef!].filter((c) => c === 0).length;
      expect(zeros).toBe(f.coef.filter((c) => c === 0).length);
      // KKT: the loss gradient g satisfies |g_j| <= lambda where coef_j = 0, g_j = -lambda sign(coef_j) elsewhere, g_intercept = 0
      const eta = f.X.map((r) => r.reduce((s, v, j) => s + v * model.coef![j]!, model.intercept));
      const resid = eta.map((e, i) => 1 / (1 + Math.exp(-e)) - f.y[i]!);
      const g = f.X[0]!.map((_, j) => f.X.reduce((s, r, i) => s + r[j]! * resid[i]!, 0));
      g.forEach((gj, j) => {
        const c = model.coef![j]!;
        if (c === 0) expect(Math.abs(gj)).toBeLessThanOrEqual(f.lambda * (1 + 1e-6));
        else expect(Math.abs(gj + f.lambda * Math.sign(c))).toBeLessThan(1e-5 * f.lambda);
      });
      expect(Math.abs(resid.reduce((a, b) => a + b, 0))).toBeLessThan(1e-5);
    }
  });

  it("elastic net: proximal gradient and ADMM agree, and its prox is the true one", async () => {
    const f = fixture("logistic-l2-0.5");
    const opts = { regularizer: "elastic_net" as const, lambda: 6, l1Ratio: 0.7, runtime: rt };
    const a = await new glm.LogisticRegression({ ...opts, solver: "proximal_grad", ...TIGHT }).fit(f.X, f.y);
    const b = await new glm.LogisticRegression({ ...opts, solver: "admm", maxIter: 5000, abstol: 1e-12, reltol: 1e-12, chunkRows: 30 }).fit(f.X, f.y);
    expect(relErr(withIntercept(b), withIntercept(a))).toBeLessThan(1e-4);
    // prox of t * lambda (a |x| + (1 - a) x^2 / 2) at v: soft-threshold then shrink
    const reg = new glm.Regularizer("elastic_net", 2, 0.25);
    const v = Float64Array.of(3, -0.2, -1);
    reg.prox(v, 0.5, 3);
    expect(Array.from(v)).toEqual([(3 - 0.25) / 1.75, 0, (-1 + 0.25) / 1.75]);
  });
});

describe("row pieces of an evaluation", () => {
  it("cover every row once, in order, whole chunks first and small pieces last", () => {
    for (const [chunks, threads, cols] of [[Array(10).fill(100_000), 2, 100], [[7, 0, 5_000, 123_457], 4, 3], [[1], 2, 1], [[], 2, 5]] as const) {
      const pieces = glm.guidedPieces(chunks, threads, cols);
      const covered = chunks.map(() => 0);
      let previous = { chunk: -1, end: 0 };
      for (const piece of pieces) {
        if (piece.chunk !== previous.chunk) previous = { chunk: piece.chunk, end: 0 };
        expect(piece.row0).toBe(previous.end); // contiguous within a chunk, chunks in order
        previous.end = piece.row0 + piece.rows;
        covered[piece.chunk]! += piece.rows;
      }
      expect(covered).toEqual([...chunks]);
    }
    const sizes = glm.guidedPieces(Array(10).fill(100_000), 2, 100).map((p) => p.rows);
    expect(sizes[0]).toBe(100_000);
    expect(sizes[sizes.length - 1]!).toBeLessThan(5_000); // the tail is fine-grained
  });
});

describe("regularization paths", () => {
  it("a fit warm-started from its neighbour (coefficients, curvature, the last evaluation) reaches the cold fit's optimum in fewer passes", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 4_000, cols: 8, seed: 3, chunkRows: 1_000 });
    const first = new glm.LogisticRegression({ lambda: 100, runtime: rt, ...TIGHT });
    const problem = await first.createProblem(X, y);
    try {
      await first.fitProblem(problem);
      const cold = await new glm.LogisticRegression({ lambda: 10, runtime: rt, ...TIGHT }).fit(X, y);
      const before = { ...problem.evaluations };
      const warm = new glm.LogisticRegression({ lambda: 10, runtime: rt, ...TIGHT });
      await warm.fitProblem(problem, { path: first.pathStart });
      expect(relErr(withIntercept(warm), withIntercept(cold))).toBeLessThan(1e-7);
      expect(Math.abs(warm.objective - cold.objective) / cold.objective).toBeLessThan(1e-12);
      // the start point's loss and gradient came from the previous fit's last evaluation
      expect(problem.evaluations.reused).toBeGreaterThan(before.reused);
      expect(problem.evaluations.lossGrad - before.lossGrad).toBeLessThan(cold.nIter + 1);
    } finally {
      problem.release();
    }
  });

  it("a problem answers a repeated evaluation without a pass over X, with equal values", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 2_000, cols: 4, seed: 5, chunkRows: 500 });
    const problem = await glm.GlmProblem.create(rt, X, y, "logistic", true);
    try {
      const beta = Float64Array.of(0.1, -0.2, 0.3, 0, 0.5);
      const a = await problem.lossGrad(beta);
      a.grad[0] = 1e9; // the caller may write to what it got
      const b = await problem.lossGrad(Float64Array.from(beta));
      expect(problem.evaluations).toMatchObject({ lossGrad: 1, reused: 1 });
      expect(b.loss).toBe(a.loss);
      expect(b.grad[0]).not.toBe(1e9);
      expect(await problem.loss(beta)).toBe(a.loss);
      await problem.lossGrad(Float64Array.of(0.1, -0.2, 0.3, 0, 0.50001));
      expect(problem.evaluations.lossGrad).toBe(2);
    } finally {
      problem.release();
    }
  });
});

describe("descent", () => {
  it("gradient descent, Newton, L-BFGS and proximal gradient never increase the objective", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 500, cols: 8, seed: 4, chunkRows: 100 });
    for (const solver of ["gradient_descent", "newton", "lbfgs", "proximal_grad"] as const) {
      const model = await new glm.LogisticRegression({ solver, lambda: 2, runtime: rt, regularizer: solver === "proximal_grad" ? "l1" : "l2" }).fit(X, y);
      for (let i = 1; i < model.history.length; i++) expect(model.history[i]!, solver).toBeLessThanOrEqual(model.history[i - 1]! * (1 + 1e-12));
      expect(model.converged).toBe(true);
    }
  });

  it("fits the spec's synthetic problem with chunked arrays, predicts, scores and round-trips through JSON", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 3000, cols: 10, seed: 20240601, chunkRows: 700 });
    const model = await new glm.LogisticRegression({ solver: "lbfgs", lambda: 1, fitIntercept: false, runtime: rt }).fit(X, y);
    expect(model.intercept).toBe(0);
    const accuracy = await model.score(X, y);
    expect(accuracy).toBeGreaterThan(0.6);
    const proba = await model.predictProba(X);
    expect(proba.every((p) => p > 0 && p < 1)).toBe(true);
    const again = glm.LogisticRegression.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    again.options.runtime = rt;
    expect(Array.from(await again.predictProba(X))).toEqual(Array.from(proba));
    expect(() => glm.LinearRegression.fromJSON(model.toJSON())).toThrow(/LinearRegression/);
  });
});

describe("bad input", () => {
  const X = [[1, 2], [3, 4], [5, 6]];
  const fit = (model: { fit: (X: never, y: never) => Promise<unknown> }, x: unknown, y: unknown) => model.fit(x as never, y as never);
  it("names the argument and what was expected", async () => {
    const logistic = () => new glm.LogisticRegression({ runtime: rt });
    await expect(fit(logistic(), X, [0, 1])).rejects.toThrow(/'y' must be a 1-D array of 3 values/);
    await expect(fit(logistic(), [[1, NaN], [3, 4], [5, 6]], [0, 1, 0])).rejects.toThrow(/finite values; received "NaN at row 0, column 1"/);
    await expect(fit(logistic(), X, [0, 2, 1])).rejects.toThrow(/label 0 or 1 for the logistic family; received "2 at row 1"/);
    await expect(fit(new glm.PoissonRegression({ runtime: rt }), X, [0, -1, 1])).rejects.toThrow(/count >= 0/);
    await expect(fit(logistic(), X, [0, Infinity, 1])).rejects.toThrow(/finite number/);
    expect(() => new glm.LogisticRegression({ lambda: -1 })).toThrow(/'lambda' must be a finite number >= 0/);
    expect(() => new glm.LogisticRegression({ solver: "lbfgs", regularizer: "l1" })).toThrow(/proximal_grad or admm/);
    expect(() => new glm.LogisticRegression({ solver: "bfgs" as never })).toThrow(/one of lbfgs, newton, gradient_descent, proximal_grad, admm/);
    expect(() => new glm.LogisticRegression({ regularizer: "l3" as never })).toThrow(/one of none, l1, l2, elastic_net/);
    await expect(new glm.LogisticRegression().predict(X)).rejects.toThrow(/not fitted/);
  });

  it("non-convergence sets converged = false and warns, without throwing", async () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on("warning", listener);
    const model = await new glm.LogisticRegression({ solver: "gradient_descent", maxIter: 2, runtime: rt }).fit(fixture("logistic-l2-0.5").X, fixture("logistic-l2-0.5").y);
    await new Promise((r) => setTimeout(r, 10));
    process.off("warning", listener);
    expect(model.converged).toBe(false);
    expect(model.nIter).toBe(2);
    expect(warnings.some((w) => /did not converge in 2 iterations/.test(w))).toBe(true);
  });

  it("accepts { data, shape } and chunked arrays alike", async () => {
    const f = fixture("linear-l2-3.0");
    const flat = { data: Float64Array.from(f.X.flat()), shape: [f.X.length, f.X[0]!.length] as [number, number] };
    const a = await new glm.LinearRegression({ regularizer: "l2", lambda: 3, runtime: rt, ...TIGHT }).fit(flat, f.y);
    const Xa: ChunkedArray = array.fromTypedArray(flat.data, { shape: flat.shape, chunks: [17, 5] });
    const b = await new glm.LinearRegression({ regularizer: "l2", lambda: 3, runtime: rt, ...TIGHT }).fit(Xa, array.fromTypedArray(f.y, { chunks: 50 }));
    expect(relErr(withIntercept(a), withIntercept(b))).toBeLessThan(1e-9);
    expect(await a.score(flat, f.y)).toBeGreaterThan(0.99);
    expect(() => new glm.LinearRegression({ maxIter: 0 })).toThrow(ArgumentError);
  });
});
