/**
 * GLM solvers and estimators against known optima: closed-form normal equations for linear
 * regression, scikit-learn's optima (test/fixtures/glm-sklearn.json, made by
 * make_glm_fixtures.py), agreement of all five solvers, the KKT conditions of L1 solutions,
 * monotone descent, and every kind of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ArgumentError, Runtime, array, glm, type ChunkedArray } from "../src/index.js";

interface Fixture {
  name: string;
  lambda: number;
  X: number[][];
  y: number[];
  coef: number[];
  intercept: number;
}
const fixtures = (JSON.parse(readFileSync(new URL("./fixtures/glm-sklearn.json", import.meta.url), "utf8")) as { problems: Fixture[] })
  .problems;
const fixture = (name: string) => fixtures.find((f) => f.name === name)!;

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

const TIGHT = { maxIter: 5000, tol: 1e-11 };
const relErr = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  let num = 0,
    den = 0;
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
      const n = f.X.length,
        p = f.X[0]!.length;
      // closed form: (A^T A + lambda I') b = A^T y with A = [X 1], I' without the intercept
      const A = f.X.map((r) => [...r, 1]);
      const M = Array.from({ length: p + 1 }, (_, i) =>
        Array.from({ length: p + 1 }, (_, j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0) + (i === j && i < p ? f.lambda : 0)),
      );
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
        const model = await new glm.LinearRegression({
          solver,
          regularizer: f.lambda ? "l2" : "none",
          lambda: f.lambda,
          runtime: rt,
          ...TIGHT,
        }).fit(f.X, f.y);
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
        const model = await new glm.LogisticRegression({ solver, lambda: f.lambda, runtime: rt, ...TIGHT, ...extra, chunkRows: 40 }).fit(
          f.X,
          f.y,
        );
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
    const b = await new glm.LogisticRegression({ ...opts, solver: "admm", maxIter: 5000, tol: 1e-10, chunkRows: 30 }).fit(f.X, f.y);
    expect(relErr(withIntercept(b), withIntercept(a))).toBeLessThan(1e-4);
    // prox of t * lambda (a |x| + (1 - a) x^2 / 2) at v: soft-threshold then shrink
    const reg = new glm.Regularizer("elastic_net", 2, 0.25);
    const v = Float64Array.of(3, -0.2, -1);
    reg.weights(3).prox(v, 0.5);
    expect(Array.from(v)).toEqual([(3 - 0.25) / 1.75, 0, (-1 + 0.25) / 1.75]);
  });
});

describe("row pieces of an evaluation", () => {
  it("cover every row once, in order, whole chunks first and small pieces last", () => {
    for (const [chunks, threads, cols] of [
      [Array(10).fill(100_000), 2, 100],
      [[7, 0, 5_000, 123_457], 4, 3],
      [[1], 2, 1],
      [[], 2, 5],
    ] as const) {
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
  it("Newton, L-BFGS and proximal gradient never increase the objective (beyond rounding); gradient descent stays under the last ten", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 500, cols: 8, seed: 4, chunkRows: 100 });
    for (const solver of ["gradient_descent", "newton", "lbfgs", "proximal_grad"] as const) {
      const model = await new glm.LogisticRegression({
        solver,
        lambda: 2,
        runtime: rt,
        regularizer: solver === "proximal_grad" ? "l1" : "l2",
      }).fit(X, y);
      const h = model.history;
      for (let i = 1; i < h.length; i++) {
        // gradient descent's line search is nonmonotone: below the largest of the last ten objectives
        const reference = solver === "gradient_descent" ? Math.max(...h.slice(Math.max(0, i - 10), i)) : h[i - 1]!;
        expect(h[i]!, solver).toBeLessThanOrEqual(reference * (1 + 1e-10));
      }
      expect(model.converged).toBe(true);
      expect(model.optimality).toBeLessThanOrEqual(glm.DEFAULT_TOL);
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
  const X = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  const fit = (model: { fit: (X: never, y: never) => Promise<unknown> }, x: unknown, y: unknown) => model.fit(x as never, y as never);
  it("names the argument and what was expected", async () => {
    const logistic = () => new glm.LogisticRegression({ runtime: rt });
    await expect(fit(logistic(), X, [0, 1])).rejects.toThrow(/'y' must be a 1-D array of 3 values/);
    await expect(
      fit(
        logistic(),
        [
          [1, NaN],
          [3, 4],
          [5, 6],
        ],
        [0, 1, 0],
      ),
    ).rejects.toThrow(/finite values; received "NaN at row 0, column 1"/);
    // any two labels are classes; three are not a binary problem
    await expect(fit(logistic(), X, [0, 2, 1])).rejects.toThrow(/exactly two classes .*received "3 distinct labels: 0, 1, 2"/);
    await expect(fit(new glm.PoissonRegression({ runtime: rt }), X, [0, -1, 1])).rejects.toThrow(/count >= 0/);
    // rows whose expected count overflows: the score names X and the row, not a metric's argument
    const poisson = await new glm.PoissonRegression({ runtime: rt, lambda: 1 }).fit(
      [
        [1, 0],
        [0, 1],
        [1, 1],
        [0, 0],
      ],
      [1, 2, 3, 0],
    );
    const far = [
      [0, 0],
      [1e300, 1e300],
    ];
    await expect(poisson.score(far, [0, 1])).rejects.toThrow(/PoissonRegression\.score: argument 'X' .*row 1: Infinity/);
    await expect(fit(logistic(), X, [0, Infinity, 1])).rejects.toThrow(/finite number/);
    expect(() => new glm.LogisticRegression({ lambda: -1 })).toThrow(/'lambda' must be a finite number >= 0/);
    expect(() => new glm.LogisticRegression({ solver: "lbfgs", regularizer: "l1" })).toThrow(/proximal_grad or admm/);
    expect(() => new glm.LogisticRegression({ solver: "bfgs" as never })).toThrow(
      /one of lbfgs, newton, gradient_descent, proximal_grad, admm/,
    );
    expect(() => new glm.LogisticRegression({ regularizer: "l3" as never })).toThrow(/one of none, l1, l2, elastic_net/);
    await expect(new glm.LogisticRegression().predict(X)).rejects.toThrow(/not fitted/);
  });

  it("non-convergence sets converged = false and warns, without throwing", async () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on("warning", listener);
    const model = await new glm.LogisticRegression({ solver: "gradient_descent", maxIter: 2, runtime: rt }).fit(
      fixture("logistic-l2-0.5").X,
      fixture("logistic-l2-0.5").y,
    );
    await new Promise((r) => setTimeout(r, 10));
    process.off("warning", listener);
    expect(model.converged).toBe(false);
    expect(model.nIter).toBe(2);
    expect(
      warnings.some((w) => /did not converge in 2 iterations: the largest scaled gradient entry is [0-9.e-]+, above tol 1e-6/.test(w)),
    ).toBe(true);
  });

  it("accepts { data, shape } and chunked arrays alike", async () => {
    const f = fixture("linear-l2-3.0");
    const flat = { data: Float64Array.from(f.X.flat()), shape: [f.X.length, f.X[0]!.length] as [number, number] };
    const a = await new glm.LinearRegression({ regularizer: "l2", lambda: 3, runtime: rt, ...TIGHT }).fit(flat, f.y);
    const Xa: ChunkedArray = array.fromTypedArray(flat.data, { shape: flat.shape, chunks: [17, 5] });
    const b = await new glm.LinearRegression({ regularizer: "l2", lambda: 3, runtime: rt, ...TIGHT }).fit(
      Xa,
      array.fromTypedArray(f.y, { chunks: 50 }),
    );
    expect(relErr(withIntercept(a), withIntercept(b))).toBeLessThan(1e-9);
    expect(await a.score(flat, f.y)).toBeGreaterThan(0.99);
    expect(() => new glm.LinearRegression({ maxIter: 0 })).toThrow(ArgumentError);
  });
});

describe("honest fits", () => {
  const problem = () => array.random.logisticProblem({ rows: 600, cols: 6, seed: 11, chunkRows: 150 });

  it("the optimality residual is scale-free: multiplying a column by 1e4 or shifting it by 1e3 changes neither the fit nor its measure", async () => {
    const base = fixture("logistic-l2-0.5");
    const model = () => new glm.LogisticRegression({ regularizer: "none", runtime: rt });
    const a = await model().fit(base.X, base.y);
    const scaled = base.X.map((r) => r.map((v, j) => (j === 1 ? v * 1e4 : j === 2 ? v + 1e3 : v)));
    const b = await model().fit(scaled, base.y);
    expect(a.converged && b.converged).toBe(true);
    expect(Math.abs(b.objective - a.objective) / a.objective).toBeLessThan(1e-9);
    expect(Math.abs(b.coef![1]! * 1e4 - a.coef![1]!)).toBeLessThan(1e-5 * Math.abs(a.coef![1]!));
    // the same point, measured in either units: both tiny, and the same order of magnitude
    expect(Math.max(a.optimality, b.optimality)).toBeLessThanOrEqual(1e-6);
  });

  it("a fit aborts within one iteration, rejects with the reason, and leaves the estimator and runtime usable", async () => {
    const { X, y } = problem();
    const controller = new AbortController();
    let seen = 0;
    const model = new glm.LogisticRegression({
      solver: "gradient_descent",
      runtime: rt,
      onIteration: ({ iteration }) => {
        seen = iteration;
        if (iteration === 2) controller.abort(new Error("stop here"));
      },
    });
    await expect(model.fit(X, y, { signal: controller.signal })).rejects.toThrow("stop here");
    expect(seen).toBe(2);
    const already = new AbortController();
    already.abort(new Error("before"));
    await expect(new glm.LogisticRegression({ runtime: rt }).fit(X, y, { signal: already.signal })).rejects.toThrow("before");
    // usable afterwards: the same estimator fits, on the same runtime
    model.options.onIteration = undefined;
    await model.fit(X, y);
    expect(model.converged).toBe(true);
    // a signal in the options is used, and never saved
    const inOptions = new AbortController();
    const saved = await new glm.LogisticRegression({ runtime: rt, signal: inOptions.signal }).fit(X, y);
    const json = saved.toJSON();
    expect("signal" in json.options).toBe(false);
    expect(JSON.stringify(json)).not.toContain("signal");
    expect(saved.getParams()).not.toHaveProperty("signal");
    inOptions.abort(new Error("from options"));
    await expect(saved.fit(X, y)).rejects.toThrow("from options");
  });

  it("grid search aborts too, and rejects with the reason", async () => {
    const { GridSearchCV } = await import("../src/model_selection/index.js");
    const { X, y } = problem();
    const controller = new AbortController();
    const search = new GridSearchCV(
      new glm.LogisticRegression({
        solver: "gradient_descent",
        onIteration: ({ iteration }) => {
          if (iteration === 3) controller.abort(new Error("grid stopped"));
        },
      }),
      { lambda: [1, 10] },
      { cv: 2, runtime: rt },
    );
    await expect(search.fit(X, y, { signal: controller.signal })).rejects.toThrow("grid stopped");
  });

  it("zero rows and zero columns are clear errors", async () => {
    const logistic = new glm.LogisticRegression({ runtime: rt });
    await expect(logistic.fit({ data: new Float64Array(0), shape: [0, 3] }, [])).rejects.toThrow(/'X' must be at least one row/);
    await expect(logistic.fit({ data: new Float64Array(0), shape: [3, 0] }, [0, 1, 0])).rejects.toThrow(/'X' must be at least one column/);
    await expect(logistic.fit(array.zeros([0, 3]), array.zeros([0]))).rejects.toThrow(/at least one row/);
  });

  it("features near 1e300: lbfgs fits them (scaled coordinates); Newton and ADMM, whose Hessians overflow, say so", async () => {
    const X: number[][] = [],
      y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = Math.sin(i);
      X.push([a * 1e300, Math.cos(i * 1.3)]);
      y.push(a + 0.3 * Math.cos(i * 1.3) > 0.1 ? 1 : 0);
    }
    const fitted = await new glm.LogisticRegression({ runtime: rt }).fit(X, y);
    expect(fitted.converged).toBe(true);
    expect(fitted.coef![0]).toBeGreaterThan(0); // not the 0 of an overflowed fit
    expect(Number.isFinite(fitted.coef![0]!)).toBe(true);
    await expect(new glm.LogisticRegression({ solver: "newton", runtime: rt }).fit(X, y)).rejects.toThrow(glm.NonFiniteError);
    await expect(new glm.LogisticRegression({ solver: "admm", runtime: rt }).fit(X, y)).rejects.toThrow(
      /newton|admm: .*not a finite number at iteration 1/,
    );
  });

  it("a solver whose iterates stop being finite stops with an error naming the iteration", async () => {
    // a smooth objective that overflows once beta moves far enough: the solvers are pure functions of it
    const objective = {
      n: 1,
      p: 1,
      lossGrad: async (b: Float64Array) => ({
        loss: b[0]! > 0.5 ? NaN : (b[0]! - 3) ** 2,
        grad: Float64Array.of(b[0]! > 0.5 ? NaN : 2 * (b[0]! - 3)),
      }),
      loss: async (b: Float64Array) => (b[0]! > 0.5 ? NaN : (b[0]! - 3) ** 2),
      hessian: async () => Float64Array.of(2),
    };
    const penalized = new glm.Penalized(objective, new glm.Regularizer("none", 0));
    // NaN fails every line search test: lbfgs and gradient descent stop there, unconverged and finite
    const r = await glm.solvers.lbfgs(penalized, Float64Array.of(0));
    expect(r.converged).toBe(false);
    expect(Number.isFinite(r.objective)).toBe(true);
    const blowUp = {
      ...objective,
      lossGrad: async (b: Float64Array) => ({ loss: b[0]! === 0 ? 1 : Infinity, grad: Float64Array.of(-1) }),
      loss: async (b: Float64Array) => (b[0]! === 0 ? 1 : -Infinity),
    };
    await expect(glm.solvers.newton(new glm.Penalized(blowUp, new glm.Regularizer("none", 0)), Float64Array.of(0))).rejects.toThrow(
      /newton: the objective is not a finite number at iteration 1/,
    );
  });

  it("separable classes without a penalty: not converged, and a warning that no finite optimum exists", async () => {
    const X = [[0], [1], [2], [3], [4], [5]],
      y = [0, 0, 0, 1, 1, 1];
    const warnings: { code: string; message: string }[] = [];
    const model = await new glm.LogisticRegression({ regularizer: "none", runtime: rt }).fit(X, y, { onWarning: (w) => warnings.push(w) });
    expect(model.converged).toBe(false);
    expect(warnings.map((w) => w.code)).toContain("WEFT_NO_FINITE_OPTIMUM");
    expect(warnings.find((w) => w.code === "WEFT_NO_FINITE_OPTIMUM")!.message).toMatch(/no minimum/);
    // with a penalty the optimum is finite and found
    const penalized = await new glm.LogisticRegression({ lambda: 1, runtime: rt }).fit(X, y, { onWarning: (w) => warnings.push(w) });
    expect(penalized.converged).toBe(true);
  });

  it("the coordinates map points, gradients and Hessians consistently (J^T H J, J^-1, J^T)", async () => {
    const { Coordinates } = await import("../src/glm/scaling.js");
    const c = new Coordinates(2, true, Float64Array.of(2, 0.5), Float64Array.of(3, -1), Float64Array.of(1, 1, 1));
    const beta = Float64Array.of(0.3, -2, 1.5);
    expect(
      Array.from(c.toOriginal(c.toScaled(beta)))
        .map((v, j) => v - beta[j]!)
        .every((d) => Math.abs(d) < 1e-15),
    ).toBe(true);
    // a linear function g.beta is the same function of gamma: (J^T g).gamma == g.beta
    const g = Float64Array.of(1, 2, -3);
    const gs = c.gradientToScaled(g),
      gamma = c.toScaled(beta);
    expect(gs.reduce((s, v, j) => s + v * gamma[j]!, 0)).toBeCloseTo(
      g.reduce((s, v, j) => s + v * beta[j]!, 0),
      12,
    );
    expect(Array.from(c.gradientToOriginal(gs))).toEqual(Array.from(g).map((v) => expect.closeTo(v, 12)));
    // a quadratic form: gamma^T (J^T H J) gamma == beta^T H beta
    const H = Float64Array.of(2, 1, 0, 1, 3, 1, 0, 1, 4);
    const Hs = c.hessianToScaled(H);
    const quad = (M: Float64Array, v: Float64Array) => {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += v[i]! * M[i * 3 + j]! * v[j]!;
      return s;
    };
    expect(quad(Hs, gamma)).toBeCloseTo(quad(H, beta), 10);
  });
});
