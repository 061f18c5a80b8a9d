/**
 * `weft predict MODEL.json FILE`: predictions of a model saved by `weft fit --out` for the rows of
 * a data file, as CSV (or JSON), lined up with the input: `--id COL` carries a column of the
 * input through, and with `--missing drop` and no id each prediction says which data row it is.
 */
import { readFile } from "node:fs/promises";
import { ArgumentError } from "../errors.js";
import { array } from "../array/index.js";
import { LinearRegression, LogisticRegression, PoissonRegression } from "../glm/estimators.js";
import { Runtime } from "../runtime/runtime.js";
import { readTable } from "../io/table.js";
import { quoteField } from "../io/csv.js";
import { writeFileAtomic } from "../io/storage.js";
import type { SavedModel } from "./fit.js";
import { createProgress } from "./progress.js";
import { checkOutput, delimiterOption, missingPolicy, threadsOption } from "./options.js";

/** `weft predict`'s options as commander gives them. */
export interface PredictOptions {
  out?: string;
  /** Let --out replace an existing file (never an input). */
  force?: boolean;
  threads?: string;
  delimiter?: string;
  missing?: string;
  quiet?: boolean;
  /** A column of the input written first, as is, beside each row's prediction. */
  id?: string;
  /** false with --no-header: the CSV's first row is data, columns are named 0, 1, ... */
  header?: boolean;
  json?: boolean;
}

/** An output column: numbers, or text (an id; a string class label). */
type OutputColumn = ArrayLike<number> | readonly string[];

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

/** Columns as CSV text with a header row: text fields quoted as RFC 4180 says, numbers as JavaScript writes them. */
function csvText(columns: Readonly<Record<string, OutputColumn>>, rows: number): string {
  const names = Object.keys(columns);
  const field = (v: number | string) => (typeof v === "string" ? quoteField(v) : String(v));
  const lines = [names.map(quoteField).join(",")];
  for (let i = 0; i < rows; i++) lines.push(names.map((n) => field(columns[n]![i]!)).join(","));
  return `${lines.join("\n")}\n`;
}

export async function runPredict(modelFile: string, file: string, options: PredictOptions, out: (text: string) => void): Promise<void> {
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
  const threads = threadsOption(options.threads);
  const delimiter = delimiterOption(options.delimiter);
  const missing = missingPolicy(options.missing);
  if (options.id !== undefined && (options.id === "prediction" || options.id === "probability"))
    throw new ArgumentError("--id", "a column other than the output's own (prediction, probability)", options.id);
  const progress = createProgress(options.quiet === true || options.json === true);
  const runtime = await Runtime.start(threads === undefined ? {} : { threads });
  try {
    const model = Estimator.fromJSON(saved);
    model.options.runtime = runtime;
    progress.update(0, 2, `reading ${file}`);
    const table = await readTable(file, {
      features: saved.features,
      delimiter,
      missing,
      header: options.header,
      id: options.id,
      onProgress: (rows) => progress.update(0, 2, `reading ${file}: ${rows} rows`),
    });
    progress.update(1, 2, `predicting ${table.rows} rows`);
    let X = table.X;
    if (saved.standardize) X = X.sub(array.fromTypedArray(saved.standardize.mean)).div(array.fromTypedArray(saved.standardize.scale));
    // first what says which input row each prediction belongs to: the id, or (rows dropped) the row number
    const columns: Record<string, OutputColumn> = {};
    if (options.id !== undefined) columns[options.id] = table.ids!;
    else if (missing === "drop") columns.row = table.rowNumbers ?? Float64Array.from({ length: table.rows }, (_, i) => i);
    columns.prediction = await model.predict(X);
    if (model instanceof LogisticRegression) columns.probability = await model.predictProba(X);
    progress.update(2, 2, "done");
    progress.stop();
    if (options.out) {
      await writeFileAtomic(options.out, csvText(columns, table.rows));
      out(options.json ? JSON.stringify({ rows: table.rows, out: options.out }) : `${table.rows} predictions written to ${options.out}`);
    } else if (options.json) {
      out(
        JSON.stringify({
          rows: table.rows,
          columns: Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Array.from(v as ArrayLike<number | string>)])),
        }),
      );
    } else {
      out(csvText(columns, table.rows).trimEnd());
    }
  } finally {
    progress.stop();
    await runtime.close();
  }
}
