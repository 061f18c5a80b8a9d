/**
 * `weft bench glm`: every solver on the spec's synthetic logistic problem (L2, lambda = 1, no
 * intercept) at 100,000 x 100 and 1,000,000 x 100 in 10 chunks: wall time of fit() (the data
 * generated and persisted beforehand, as scikit-learn's is in memory before its fit), iterations,
 * final objective, passes over X. scikit-learn's lbfgs on the same data (rebuilt by
 * bench/python/sklearn_glm.py from the spec) in the same run when python3 with sklearn is present.
 * Then `raw`: every solver on real and ill-conditioned data, unscaled, at default settings, against
 * the known optima and scikit-learn's solvers on the same data (glm-raw.ts).
 */
import { availableParallelism, cpus } from "node:os";
import { Runtime, glm, type SolverName } from "weftjs";
import { median } from "./measure.js";
import { persistLogisticProblem } from "./problem.js";
import { runPythonReference } from "./python.js";
import { profileGlm, type GdProfileRun } from "./glm-profile.js";
import { benchGlmRaw, type GlmRawReport } from "./glm-raw.js";

export interface GlmBenchRow {
  solver: SolverName | "sklearn-lbfgs";
  rows: number;
  cols: number;
  seconds: number;
  nIter: number;
  objective: number;
  converged?: boolean;
}

export interface GlmBenchReport {
  results: GlmBenchRow[];
  /** Gradient descent per iteration at the largest size, naive and weft's way (see glm-profile.ts). */
  gradientDescentProfile: (Omit<GdProfileRun, "events"> & { events?: GdProfileRun["events"] })[];
  lambda: number;
  threads: number;
  sklearn: { version: string } | { missing: string };
  /** Every solver on the raw (unscaled) conformance data against the known optima, beside scikit-learn's (glm-raw.ts). */
  raw: GlmRawReport | { missing: string };
  machine: { cpu: string; cores: number; node: string };
}

export interface GlmBenchOptions {
  quick?: boolean;
  python?: boolean;
  solvers?: readonly SolverName[];
  /** Keep the gradient-descent profile's task events (for the timelines of `bench all`). */
  events?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

function sklearnReference(
  sizes: readonly number[],
  cols: number,
  lambda: number,
  repeats: number,
): { version: string; rows: GlmBenchRow[] } | { missing: string } {
  const out = runPythonReference<{ sklearn: string; results: Omit<GlmBenchRow, "solver">[] }>(
    "sklearn_glm.py",
    "sklearn, numpy",
    "python3-sklearn",
    [sizes.join(","), cols, lambda, repeats],
    1_800_000,
  );
  if ("missing" in out) return out;
  return { version: out.sklearn, rows: out.results.map((r) => ({ solver: "sklearn-lbfgs", ...r })) };
}

export async function benchGlm(options: GlmBenchOptions = {}): Promise<GlmBenchReport> {
  const quick = options.quick === true;
  const sizes = quick ? [10_000] : [100_000, 1_000_000];
  const cols = 100;
  const lambda = 1;
  const repeats = quick ? 1 : 3;
  const solvers = options.solvers ?? (["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"] as const);
  const threads = availableParallelism();
  const total = sizes.length * solvers.length + 2 + (options.python === false ? 0 : 1);
  let done = 0;
  const results: GlmBenchRow[] = [];
  const rt = await Runtime.start({ threads, memory: { initial: 64 << 20 }, profileCapacity: 0 });
  try {
    for (const rows of sizes) {
      const { X, y } = await persistLogisticProblem(rt, rows, cols);
      for (const solver of solvers) {
        options.onProgress?.(done, total, `${solver} ${rows} x ${cols}`);
        const fit = async () => {
          const model = new glm.LogisticRegression({
            solver,
            regularizer: "l2",
            lambda,
            fitIntercept: false,
            runtime: rt,
            maxIter: solver === "gradient_descent" ? 1000 : undefined,
          });
          const t0 = performance.now();
          await model.fit(X, y);
          return { model, seconds: (performance.now() - t0) / 1000 };
        };
        const first = await fit(); // warm-up: V8 tiers up, workers load the plans
        // a fit of several seconds is its own warm-up (the tier-up is a rounding error): it is
        // the measurement; shorter fits run `repeats` more times
        const runs = first.seconds > 5 ? [first] : [];
        for (let r = 0; r < (first.seconds > 5 ? 0 : repeats); r++) runs.push(await fit());
        const { model } = runs[runs.length - 1]!;
        results.push({
          solver,
          rows,
          cols,
          seconds: median(runs.map((r) => r.seconds)),
          nIter: model.nIter,
          objective: model.objective,
          converged: model.converged,
        });
        done += 1;
      }
      X.release();
      y.release();
    }
  } finally {
    await rt.close();
  }
  options.onProgress?.(done++, total, "gradient descent profile");
  const gradientDescentProfile = (await profileGlm({ rows: sizes[sizes.length - 1]!, iterations: quick ? 3 : 20 })).map(
    ({ events, ...rest }) => (options.events ? { ...rest, events } : rest),
  );
  let sklearn: GlmBenchReport["sklearn"] = { missing: "skipped (--no-python)" };
  if (options.python !== false) {
    options.onProgress?.(done, total, "scikit-learn");
    const ref = sklearnReference(sizes, cols, lambda, repeats);
    if ("missing" in ref) sklearn = ref;
    else {
      sklearn = { version: ref.version };
      results.push(...ref.rows);
    }
  }
  options.onProgress?.(total - 1, total, "raw data");
  const raw = await benchGlmRaw({ quick, python: options.python, onProgress: (label) => options.onProgress?.(total - 1, total, label) });
  options.onProgress?.(total, total, "done");
  return {
    results,
    gradientDescentProfile,
    lambda,
    threads,
    sklearn,
    raw,
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: threads, node: process.version },
  };
}
