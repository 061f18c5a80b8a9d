/**
 * `weft fit FILE --target COL ...`: a GLM from a data file (CSV, TSV, NPY, Parquet or Arrow IPC,
 * local or by URL), saved as JSON with what prediction needs (the feature names, the
 * standardization); `weft predict` (predict.ts) reads it back.
 */
import { ArgumentError } from "../errors.js";
import { array } from "../array/index.js";
import type { ChunkedArray } from "../array/array.js";
import { LinearRegression, LogisticRegression, PoissonRegression } from "../glm/estimators.js";
import { SOLVERS, type FitWarning, type SolverName } from "../glm/options.js";
import type { ModelJSON } from "../glm/saved-model.js";
import { FAMILIES, type FamilyName } from "../glm/families.js";
import { REGULARIZERS, type RegularizerName } from "../glm/regularizers.js";
import { DEFAULT_TOL, formatSmall } from "../glm/solvers/common.js";
import { Runtime } from "../runtime/runtime.js";
import { readTable } from "../io/table.js";
import { writeFileAtomic } from "../io/storage.js";
import { createProgress } from "./progress.js";
import { natsOptionsOf, type NatsCommandOptions } from "./worker.js";
import { checkOutput, delimiterOption, featuresOption, missingPolicy, numberOption as number, threadsOption } from "./options.js";

export interface FitOptions extends NatsCommandOptions {
  target: string;
  features?: string;
  family: string;
  solver?: string;
  regularizer: string;
  lambda?: string;
  l1Ratio?: string;
  intercept?: boolean;
  standardize?: boolean;
  maxIter?: string;
  tol?: string;
  threads?: string;
  out?: string;
  /** Let --out replace an existing file (never an input). */
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  delimiter?: string;
  missing?: string;
  /** false with --no-header: the CSV's first row is data, columns are named 0, 1, ... */
  header?: boolean;
  /** proximal_grad: FISTA with restarts (the default), or plain steps with --no-fista. */
  fista?: boolean;
  /** Fit on the workers of the cluster at this NATS URL (the file stays where they read it); its credentials as for `weft worker`. */
  cluster?: string;
}

/** A fit warning in the CLI's own words: what was measured, and which options to try. */
function cliWarning(w: FitWarning, options: FitOptions): string {
  switch (w.code) {
    case "WEFT_NOT_CONVERGED": {
      const tries = [`--max-iter ${Math.max(2 * w.iterations, 100)}`];
      if (!options.standardize) tries.push("--standardize");
      if (w.solver !== "lbfgs" && w.solver !== "newton" && options.regularizer !== "l1" && options.regularizer !== "elastic_net")
        tries.push("--solver lbfgs");
      if (w.solver === "admm" || w.solver === "gradient_descent")
        tries.push(options.regularizer === "l1" || options.regularizer === "elastic_net" ? "--solver proximal_grad" : "--solver newton");
      return `warning: the fit did not converge in ${w.iterations} iterations (${w.solver}): its optimality residual is ${w.optimality.toPrecision(3)}, above --tol ${formatSmall(w.tol)}. Try ${tries.join(", or ")}.`;
    }
    case "WEFT_NO_FINITE_OPTIMUM":
      return "warning: the classes are separable, so without a penalty the loss has no minimum (it falls toward 0 as the coefficients grow without bound): these coefficients are not an optimum. Add a penalty: --regularizer l2 --lambda 1.";
    case "WEFT_SATURATED":
      return `warning: ${w.message.replace(/^[A-Za-z]+: /, "").replace("Add a penalty (regularizer 'l2', lambda > 0).", "Add a penalty: --regularizer l2 --lambda 1.")}`;
  }
}

/** A saved CLI model: the estimator's JSON, and how to turn a file into its inputs. */
export interface SavedModel extends ModelJSON {
  features: string[];
  target: string;
  /** Per-feature mean and scale when fitted with --standardize. */
  standardize: { mean: number[]; scale: number[] } | null;
}

export const ESTIMATORS = { logistic: LogisticRegression, normal: LinearRegression, poisson: PoissonRegression } as const;

/** Centers and scales X's columns (population std; a constant column keeps scale 1). */
async function standardize(X: ChunkedArray, runtime: Runtime): Promise<{ X: ChunkedArray; mean: number[]; scale: number[] }> {
  const [mean, std] = (await array.compute(X.mean(0), X.std(0), { runtime })) as Float64Array[];
  const scale = Array.from(std!, (s) => (s > 0 ? s : 1));
  return { X: X.sub(array.fromTypedArray(mean!)).div(array.fromTypedArray(scale)), mean: Array.from(mean!), scale };
}

export async function runFit(
  file: string,
  options: FitOptions,
  out: (text: string) => void,
  err: (text: string) => void = (t) => process.stderr.write(`${t}\n`),
): Promise<void> {
  if (!(FAMILIES as readonly string[]).includes(options.family))
    throw new ArgumentError("--family", `one of ${FAMILIES.join(", ")}`, options.family);
  if (!(REGULARIZERS as readonly string[]).includes(options.regularizer))
    throw new ArgumentError("--regularizer", `one of ${REGULARIZERS.join(", ")}`, options.regularizer);
  if (options.solver !== undefined && !(SOLVERS as readonly string[]).includes(options.solver))
    throw new ArgumentError("--solver", `one of ${SOLVERS.join(", ")}`, options.solver);
  const lambda = number("--lambda", options.lambda, (v) => v >= 0, "a number >= 0");
  const l1Ratio = number("--l1-ratio", options.l1Ratio, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  const maxIter = number("--max-iter", options.maxIter, (v) => Number.isInteger(v) && v >= 1, "a whole number >= 1");
  const tol = number("--tol", options.tol, (v) => v > 0, "a number > 0");
  const threads = threadsOption(options.threads);
  const features = featuresOption(options.features);
  const delimiter = delimiterOption(options.delimiter);
  const missing = missingPolicy(options.missing);
  const family = options.family as FamilyName;
  const Estimator = ESTIMATORS[family];
  // an unsupported solver/penalty pair fails before the file is read
  const model = new Estimator({
    solver: options.solver as SolverName | undefined,
    regularizer: options.regularizer as RegularizerName,
    lambda,
    l1Ratio,
    fitIntercept: options.intercept !== false,
    maxIter,
    tol,
    ...(options.fista === undefined ? {} : { fista: options.fista }),
  });
  await checkOutput(options.out, [file], options.force);
  if (options.cluster !== undefined) return fitOnCluster(file, options, model, features, out, err);
  const progress = createProgress(options.quiet === true || options.json === true);
  const runtime = await Runtime.start(threads === undefined ? {} : { threads });
  try {
    progress.update(0, 2, `reading ${file}`);
    const table = await readTable(file, {
      target: options.target,
      features,
      delimiter,
      missing,
      header: options.header,
      onProgress: (rows) => progress.update(0, 2, `reading ${file}: ${rows} rows`),
    });
    if (!table.y) throw new ArgumentError("--target", "a column of the file", options.target);
    let X = table.X;
    let scaler: SavedModel["standardize"] = null;
    if (options.standardize) {
      const s = await standardize(X, runtime);
      X = s.X;
      scaler = { mean: s.mean, scale: s.scale };
    }
    progress.update(1, 2, `fitting ${table.rows} rows x ${table.features.length} features`);
    model.options.runtime = runtime;
    model.options.onIteration = ({ iteration, objective }) =>
      progress.update(1, 2, `iteration ${iteration}, objective ${objective.toPrecision(10)}`);
    const t0 = performance.now();
    const warnings: string[] = [];
    await model.fit(X, table.y, { onWarning: (w) => warnings.push(cliWarning(w, options)) });
    const seconds = (performance.now() - t0) / 1000;
    progress.update(2, 2, "done");
    progress.stop();
    for (const w of warnings) err(w);
    await report(model, table.features, table.rows, seconds, warnings, scaler, options, out);
  } finally {
    progress.stop();
    await runtime.close();
  }
}

type Model = InstanceType<(typeof ESTIMATORS)[keyof typeof ESTIMATORS]>;

/** Saves the model when asked, and prints it: a table, or JSON with --json. */
async function report(
  model: Model,
  features: string[],
  rows: number,
  seconds: number,
  warnings: string[],
  scaler: SavedModel["standardize"],
  options: FitOptions,
  out: (text: string) => void,
): Promise<void> {
  const saved: SavedModel = { ...model.toJSON(), features: features, target: options.target, standardize: scaler };
  if (options.out) await writeFileAtomic(options.out, `${JSON.stringify(saved, null, 2)}\n`);
  if (options.json) {
    out(
      JSON.stringify({
        coef: Array.from(model.coef!),
        intercept: model.intercept,
        objective: model.objective,
        nIter: model.nIter,
        converged: model.converged,
        optimality: model.optimality,
        tol: model.options.tol ?? DEFAULT_TOL,
        warnings,
        seconds,
        features: features,
      }),
    );
    return;
  }
  const width = Math.max(9, ...features.map((f) => f.length));
  const lines = [
    `${model.constructor.name} (${model.options.solver}, ${model.options.regularizer}, lambda ${model.options.lambda}) on ${rows} rows: ` +
      `${model.converged ? "converged" : "NOT converged"} in ${model.nIter} iterations (optimality ${model.optimality.toPrecision(3)}, tol ${formatSmall(model.options.tol ?? DEFAULT_TOL)}), objective ${model.objective}, ${seconds.toFixed(3)} s`,
    "",
    `${"feature".padEnd(width)}  coefficient${options.standardize ? " (standardized)" : ""}`,
    ...features.map((f, j) => `${f.padEnd(width)}  ${model.coef![j]}`),
    ...(model.options.fitIntercept !== false ? [`${"intercept".padEnd(width)}  ${model.intercept}`] : []),
  ];
  if (options.out) lines.push("", `model written to ${options.out}`);
  out(lines.join("\n"));
}

/**
 * `weft fit SOURCE --cluster nats://...`: the workers read SOURCE (a path each of them sees, or a
 * URL) and keep their partitions; this process only sums what they answer. Options that change
 * how the file is read or transformed here have no meaning there and are refused.
 */
async function fitOnCluster(
  file: string,
  options: FitOptions,
  model: Model,
  features: string[] | undefined,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<void> {
  const refused: [keyof FitOptions, string][] = [
    ["standardize", "--standardize"],
    ["threads", "--threads"],
    ["delimiter", "--delimiter"],
    ["missing", "--missing"],
  ];
  for (const [key, flag] of refused)
    if (options[key] !== undefined && options[key] !== false)
      throw new ArgumentError(
        flag,
        "not given with --cluster (the workers read the file with the defaults; the solvers scale internally)",
        options[key],
      );
  if (options.header === false) throw new ArgumentError("--no-header", "not given with --cluster", false);
  const progress = createProgress(options.quiet === true || options.json === true);
  const { Cluster } = await import("../cluster/cluster.js"); // the NATS client loads only for --cluster
  const cluster = await Cluster.connect(options.cluster!.split(","), await natsOptionsOf(options));
  try {
    const dataset = cluster.dataset(file, { target: options.target, ...(features ? { features } : {}) });
    progress.update(0, 2, `reading ${file} on the cluster's workers`);
    await dataset.load();
    progress.update(1, 2, `fitting ${dataset.rows} rows x ${dataset.features.length} features on ${dataset.placement.length} workers`);
    model.options.onIteration = ({ iteration, objective }) =>
      progress.update(1, 2, `iteration ${iteration}, objective ${objective.toPrecision(10)}`);
    const warnings: string[] = [];
    const t0 = performance.now();
    await model.fit(dataset, { onWarning: (w) => warnings.push(cliWarning(w, options)) });
    const seconds = (performance.now() - t0) / 1000;
    await dataset.drop();
    progress.update(2, 2, "done");
    progress.stop();
    for (const w of warnings) err(w);
    await report(model, dataset.features, dataset.rows, seconds, warnings, null, options, out);
  } finally {
    progress.stop();
    await cluster.close();
  }
}
