/**
 * `weft fit FILE --target COL ...` and `weft predict MODEL.json FILE`: a GLM from a data file
 * (CSV, TSV, NPY or Parquet, local or by URL), saved as JSON with what prediction needs (the
 * feature names, the standardization), and predictions written as CSV.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
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
import { parseDecimal, writeCsv } from "../io/csv.js";
import { writeFileAtomic } from "../io/storage.js";
import { createProgress } from "./progress.js";

export interface FitOptions {
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

/** A number option, written in decimal: Number() would read '' as 0 and '0x10' as 16. */
const number = (name: string, value: string | undefined, check: (v: number) => boolean, expected: string): number | undefined => {
  if (value === undefined) return undefined;
  const v = parseDecimal(value);
  if (!Number.isFinite(v) || !check(v)) throw new ArgumentError(name, expected, value);
  return v;
};

/**
 * Checks before any work that `out` may be written: never one of the inputs (the same file by
 * any path, hard links included), never an existing file unless --force.
 */
async function checkOutput(out: string | undefined, inputs: readonly string[], force: boolean | undefined): Promise<void> {
  if (out === undefined) return;
  const target = await identity(out);
  for (const input of inputs) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith("file://")) continue; // a URL is not a local file
    const id = await identity(input.startsWith("file://") ? fileURLToPath(input) : input);
    if (resolve(out) === resolve(input) || (target && id && target === id)) {
      throw new ArgumentError("--out", "a file other than the inputs", `${out} (it is ${input})`);
    }
  }
  if (target && !force)
    throw new ArgumentError("--out", "a file that does not exist yet (or --force to replace it)", `${out}, which exists`);
}

/** A file's device and inode, or undefined when there is none at `path`. */
async function identity(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

const ESTIMATORS = { logistic: LogisticRegression, normal: LinearRegression, poisson: PoissonRegression } as const;

function missingPolicy(value: string | undefined): "error" | "drop" | number | undefined {
  if (value === undefined || value === "error" || value === "drop") return value;
  const v = parseDecimal(value); // '' is no fill value (Number('') is 0)
  if (!Number.isFinite(v)) throw new ArgumentError("--missing", "error, drop, or a number to fill in", value);
  return v;
}

/** --delimiter: a non-empty string (csv-parse's own refusal of '' would not name the option). */
function delimiterOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || /["\r\n]/.test(value))
    throw new ArgumentError("--delimiter", "a character (or string) without quotes or line breaks", value);
  return value;
}

/** --features: a comma-separated list of at least one column ('a,b'; ',' names none). */
function featuresOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const features = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (features.length === 0) throw new ArgumentError("--features", "a comma-separated list of columns, at least one", value);
  return features;
}

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
  const threads = number("--threads", options.threads, (v) => Number.isInteger(v) && v >= 1, "a whole number >= 1");
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
    const saved: SavedModel = { ...model.toJSON(), features: table.features, target: options.target, standardize: scaler };
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
          features: table.features,
        }),
      );
      return;
    }
    const width = Math.max(9, ...table.features.map((f) => f.length));
    const lines = [
      `${model.constructor.name} (${model.options.solver}, ${model.options.regularizer}, lambda ${model.options.lambda}) on ${table.rows} rows: ` +
        `${model.converged ? "converged" : "NOT converged"} in ${model.nIter} iterations (optimality ${model.optimality.toPrecision(3)}, tol ${formatSmall(model.options.tol ?? DEFAULT_TOL)}), objective ${model.objective}, ${seconds.toFixed(3)} s`,
      "",
      `${"feature".padEnd(width)}  coefficient${options.standardize ? " (standardized)" : ""}`,
      ...table.features.map((f, j) => `${f.padEnd(width)}  ${model.coef![j]}`),
      ...(model.options.fitIntercept !== false ? [`${"intercept".padEnd(width)}  ${model.intercept}`] : []),
    ];
    if (options.out) lines.push("", `model written to ${options.out}`);
    out(lines.join("\n"));
  } finally {
    progress.stop();
    await runtime.close();
  }
}

/**
 * A saved model's parts that predict uses, checked against each other before any work: one
 * coefficient per feature and, when standardized, one mean and one scale per feature. A file
 * edited by hand would otherwise fail later in predict, blaming the data file for the model's fault.
 */
function checkSavedModel(saved: SavedModel, modelFile: string): void {
  const refuse = (what: string) => {
    throw new ArgumentError("MODEL", "a model file written by 'weft fit --out'", `${modelFile}, whose ${what}`);
  };
  const finiteList = (v: unknown, n: number) =>
    Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number" && Number.isFinite(x));
  const { features, coef, intercept, standardize } = saved;
  if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== "string"))
    refuse("features are not a list of column names");
  if (!finiteList(coef, features.length)) refuse(`coef is not ${features.length} finite numbers, one per feature`);
  if (typeof intercept !== "number" || !Number.isFinite(intercept)) refuse("intercept is not a finite number");
  if (standardize === null || standardize === undefined) return;
  if (
    typeof standardize !== "object" ||
    !finiteList(standardize.mean, features.length) ||
    !finiteList(standardize.scale, features.length) ||
    standardize.scale.some((s) => s <= 0)
  ) {
    refuse(`standardize is not null nor { mean, scale } of ${features.length} finite numbers each (scales > 0)`);
  }
}

export async function runPredict(
  modelFile: string,
  file: string,
  options: { out?: string; force?: boolean; threads?: string; delimiter?: string; missing?: string; quiet?: boolean },
  out: (text: string) => void,
): Promise<void> {
  await checkOutput(options.out, [modelFile, file], options.force);
  let saved: SavedModel;
  try {
    saved = JSON.parse(await readFile(modelFile, "utf8")) as SavedModel;
  } catch (cause) {
    throw new ArgumentError("MODEL", "a model file written by 'weft fit --out'", `${modelFile} (${(cause as Error).message})`);
  }
  const kinds = { LogisticRegression, LinearRegression, PoissonRegression };
  // an own property only: a kind of "constructor" or "toString" must not find Object's
  const Estimator = saved !== null && typeof saved === "object" && Object.hasOwn(kinds, saved.kind) ? kinds[saved.kind] : undefined;
  if (!Estimator) throw new ArgumentError("MODEL", "a model file written by 'weft fit --out'", modelFile);
  checkSavedModel(saved, modelFile);
  const threads = number("--threads", options.threads, (v) => Number.isInteger(v) && v >= 1, "a whole number >= 1");
  const delimiter = delimiterOption(options.delimiter);
  const missing = missingPolicy(options.missing);
  const progress = createProgress(options.quiet === true);
  const runtime = await Runtime.start(threads === undefined ? {} : { threads });
  try {
    const model = Estimator.fromJSON(saved);
    model.options.runtime = runtime;
    progress.update(0, 2, `reading ${file}`);
    const table = await readTable(file, {
      features: saved.features,
      delimiter,
      missing,
      onProgress: (rows) => progress.update(0, 2, `reading ${file}: ${rows} rows`),
    });
    progress.update(1, 2, `predicting ${table.rows} rows`);
    let X = table.X;
    if (saved.standardize) X = X.sub(array.fromTypedArray(saved.standardize.mean)).div(array.fromTypedArray(saved.standardize.scale));
    const columns: Record<string, Float64Array> = { prediction: await model.predict(X) };
    if (model instanceof LogisticRegression) columns.probability = await model.predictProba(X);
    progress.update(2, 2, "done");
    progress.stop();
    if (options.out) {
      await writeCsv(options.out, columns);
      out(`${table.rows} predictions written to ${options.out}`);
    } else {
      const names = Object.keys(columns);
      const lines = [names.join(",")];
      for (let i = 0; i < table.rows; i++) lines.push(names.map((n) => String(columns[n]![i])).join(","));
      out(lines.join("\n"));
    }
  } finally {
    progress.stop();
    await runtime.close();
  }
}
