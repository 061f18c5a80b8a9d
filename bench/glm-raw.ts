/**
 * The raw-data part of `weft bench glm`: every solver on real and synthetic ill-conditioned data
 * as it comes, unscaled (test/fixtures/glm-conformance: scikit-learn's bundled data sets and the
 * ill_* sets), at default settings, against the optima computed independently with scipy
 * (optima.json): seconds, iterations, the relative gap to the optimum, whether the solver said it
 * converged. scikit-learn's solvers on the same CSVs in the same run (bench/python/glm_raw.py)
 * when python3 with sklearn is present.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Runtime, glm, type SolverName } from "weftjs";
import { median } from "./measure.js";
import { runPythonReference } from "./python.js";

/** The problems of optima.json the table shows (all with an intercept, lambda 1). */
export const RAW_PROBLEMS = [
  "breast_cancer-l2-lam1",
  "wine0-l2-lam1",
  "iris2-l2-lam1",
  "diabetes-l2-lam1",
  "diabetes_counts-l2-lam1",
  "ill_logistic-l2-lam1",
  "ill_rare-l2-lam1",
  "ill_poisson-l2-lam1",
  "breast_cancer-l1-lam1",
] as const;
/** The quick run's: one smooth problem, one with an L1 penalty. */
export const RAW_PROBLEMS_QUICK = ["iris2-l2-lam1", "breast_cancer-l1-lam1"] as const;

const SMOOTH_SOLVERS: readonly SolverName[] = ["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"];
const L1_SOLVERS: readonly SolverName[] = ["proximal_grad", "admm"];

export interface GlmRawProblem {
  name: string;
  dataset: string;
  family: "logistic" | "normal" | "poisson";
  regularizer: "l2" | "l1";
  lambda: number;
  rows: number;
  cols: number;
  /** The optimum of optima.json (scipy, KKT-verified). */
  optimum: number;
}

export interface GlmRawRow {
  problem: string;
  /** weft's solver name, or "sklearn-" and scikit-learn's. */
  solver: string;
  /** scikit-learn's estimator (LogisticRegression, Ridge, PoissonRegressor); absent for weft. */
  estimator?: string;
  /** Median wall time of fit() (weft: from JS rows, the data persisted inside the fit). */
  seconds: number;
  /** null for Ridge's direct solver. */
  nIter: number | null;
  converged: boolean;
  /** weft's optimality residual (scaled gradient / KKT residual). */
  optimality?: number;
  /** weft: the model's objective; scikit-learn: weft's objective evaluated at its coefficients. */
  objective: number;
  /** (objective - optimum) / |optimum|. */
  gap: number;
  /** weft only: the gap of the objective recomputed here from coef and intercept (a check of `objective`). */
  gapFromCoef?: number;
  /** scikit-learn's warnings other than ConvergenceWarning. */
  warnings?: string[];
}

export interface GlmRawReport {
  problems: GlmRawProblem[];
  /** weft's rows, then scikit-learn's. */
  results: GlmRawRow[];
  threads: number;
  repeats: number;
  sklearn: { version: string } | { missing: string };
}

interface Optimum {
  name: string;
  dataset: string;
  family: GlmRawProblem["family"];
  regularizer: GlmRawProblem["regularizer"];
  lambda: number;
  l1Ratio: number | null;
  fitIntercept: boolean;
  objective: number;
  separable: boolean;
}

/** test/fixtures/glm-conformance from bench/ (sources) or bench/dist/ (compiled). */
export function fixturesDir(): string | undefined {
  return ["../test/fixtures/glm-conformance/", "../../test/fixtures/glm-conformance/"]
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(`${p}optima.json`));
}

/** A CSV of the fixtures: header row, features, `target` last. */
function readCsv(path: string): { X: number[][]; y: number[] } {
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  const X: number[][] = [],
    y: number[] = [];
  for (const line of lines.slice(1)) {
    const v = line.split(",").map(Number);
    y.push(v.pop()!);
    X.push(v);
  }
  return { X, y };
}

/** Neumaier-compensated sum. */
function fsum(values: Iterable<number>): number {
  let s = 0,
    c = 0;
  for (const v of values) {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** weft's objective (sum of losses + lambda R(coef), intercept unpenalized) at coef, intercept. */
function objectiveAt(p: Optimum, X: number[][], y: number[], coef: Float64Array, intercept: number): number {
  const losses = X.map((row, i) => {
    let eta = intercept;
    for (let j = 0; j < row.length; j++) eta += row[j]! * coef[j]!;
    const yi = y[i]!;
    if (p.family === "logistic") return (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta))) - yi * eta;
    if (p.family === "normal") return 0.5 * (eta - yi) ** 2;
    return Math.exp(eta) - yi * eta;
  });
  const penalty = p.regularizer === "l1" ? fsum(Array.from(coef, Math.abs)) : 0.5 * fsum(Array.from(coef, (c) => c * c));
  return fsum(losses) + p.lambda * penalty;
}

function estimatorFor(p: Optimum, solver: SolverName, runtime: Runtime) {
  const options = { solver, regularizer: p.regularizer, lambda: p.lambda, l1Ratio: p.l1Ratio ?? undefined, fitIntercept: true, runtime };
  if (p.family === "logistic") return new glm.LogisticRegression(options);
  if (p.family === "normal") return new glm.LinearRegression(options);
  return new glm.PoissonRegression(options);
}

export interface GlmRawOptions {
  quick?: boolean;
  python?: boolean;
  onProgress?: (label: string) => void;
}

/** The raw-data table's measurements, or why there are none (the fixtures are not installed with the package). */
export async function benchGlmRaw(options: GlmRawOptions = {}): Promise<GlmRawReport | { missing: string }> {
  const dir = fixturesDir();
  if (!dir) return { missing: "test/fixtures/glm-conformance not found (it is in the repository, not the package)" };
  const quick = options.quick === true;
  const names: readonly string[] = quick ? RAW_PROBLEMS_QUICK : RAW_PROBLEMS;
  const repeats = quick ? 1 : 3;
  const optima = new Map((JSON.parse(readFileSync(`${dir}optima.json`, "utf8")).problems as Optimum[]).map((p) => [p.name, p]));
  const threads = 2;
  const problems: GlmRawProblem[] = [];
  const results: GlmRawRow[] = [];
  const rt = await Runtime.start({ threads, memory: { initial: 64 << 20 }, profileCapacity: 0 });
  try {
    for (const name of names) {
      const p = optima.get(name);
      if (!p) throw new Error(`optima.json has no problem ${name}`);
      if (!p.fitIntercept || p.separable) throw new Error(`${name}: expected a non-separable problem with an intercept`);
      const { X, y } = readCsv(`${dir}${p.dataset}`);
      problems.push({
        name,
        dataset: p.dataset,
        family: p.family,
        regularizer: p.regularizer,
        lambda: p.lambda,
        rows: X.length,
        cols: X[0]!.length,
        optimum: p.objective,
      });
      for (const solver of p.regularizer === "l1" ? L1_SOLVERS : SMOOTH_SOLVERS) {
        options.onProgress?.(`raw data: ${name}, ${solver}`);
        const fit = async () => {
          const model = estimatorFor(p, solver, rt);
          const t0 = performance.now();
          await model.fit(X, y, { onWarning: () => {} });
          return { model, seconds: (performance.now() - t0) / 1000 };
        };
        if (!quick) await fit(); // warm-up
        const runs = [];
        for (let r = 0; r < repeats; r++) runs.push(await fit());
        const { model } = runs[runs.length - 1]!;
        const gap = (v: number) => (v - p.objective) / Math.abs(p.objective);
        results.push({
          problem: name,
          solver,
          seconds: median(runs.map((r) => r.seconds)),
          nIter: model.nIter,
          converged: model.converged,
          optimality: model.optimality,
          objective: model.objective,
          gap: gap(model.objective),
          gapFromCoef: gap(objectiveAt(p, X, y, model.coef!, model.intercept)),
        });
      }
    }
  } finally {
    await rt.close();
  }
  let sklearn: GlmRawReport["sklearn"] = { missing: "skipped (--no-python)" };
  if (options.python !== false) {
    options.onProgress?.("raw data: scikit-learn");
    const out = runPythonReference<{ sklearn: string; results: GlmRawRow[] }>(
      "glm_raw.py",
      "sklearn, numpy",
      "python3-sklearn",
      [dir, names.join(","), repeats],
      600_000,
    );
    if ("missing" in out) sklearn = out;
    else {
      sklearn = { version: out.sklearn };
      results.push(...out.results);
    }
  }
  return { problems, results, threads, repeats, sklearn };
}
