/**
 * Pipeline: transformers, then an estimator, fitted and applied in order. Parameters are
 * addressed as `step__param` (scikit-learn's convention): `clf__lambda`, `scale__withMean`.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { checkParamNames } from "../base/params.js";
import { toMatrix, type MatrixLike } from "../base/inputs.js";
import type { LabelsOf } from "../base/labels.js";
import { getDefaultRuntime } from "../runtime/runtime.js";
import { MinMaxScaler, PolynomialFeatures, StandardScaler, type Transformer, type TransformerJSON } from "../preprocessing/transformers.js";
import { LogisticRegression, LinearRegression, PoissonRegression } from "../glm/estimators.js";
import type { ModelJSON } from "../glm/saved-model.js";
import type { FitOptions, ScoreOptions } from "../glm/options.js";

/**
 * A final estimator of a pipeline: one of the GLM estimators (a classifier of numeric or string
 * labels: `LogisticRegression<number>` and `LogisticRegression<string>` are both one).
 */
export type Estimator = LogisticRegression<number | string> | LinearRegression | PoissonRegression;
/** A step of a pipeline: a transformer or an estimator. */
export type Step = Transformer | Estimator;

/** A fitted pipeline saved as JSON (toJSON) and read back (Pipeline.fromJSON): each step's own JSON, by name. */
export interface PipelineJSON {
  kind: "Pipeline";
  steps: [string, TransformerJSON | ModelJSON][];
}

/** weft's transformers and GLM estimators by the kind their JSON names: what fromJSON reads. */
const SAVED_STEPS: Record<string, { fromJSON(json: never): Step }> = {
  StandardScaler,
  MinMaxScaler,
  PolynomialFeatures,
  LogisticRegression,
  LinearRegression,
  PoissonRegression,
};

/** Whether `s` has all of the methods `names` (null, numbers and strings have none). */
const hasMethods = (s: unknown, names: readonly string[]): boolean =>
  typeof s === "object" && s !== null && names.every((n) => typeof (s as Record<string, unknown>)[n] === "function");

const isTransformer = (s: unknown): s is Transformer => hasMethods(s, ["fit", "transform", "getParams", "setParams", "clone"]);
/** What the last step must do: fit, predict and score, with parameters and copies. */
const isEstimator = (s: unknown): s is Estimator => hasMethods(s, ["fit", "predict", "score", "getParams", "setParams", "clone"]);

/**
 * Transformers then a final estimator, fitted and applied in order; parameters addressed as
 * `step__param`, like scikit-learn's Pipeline. `Label` types what predict returns, as for
 * LogisticRegression: `new Pipeline<string>(...)` for a classifier of string labels.
 */
export class Pipeline<Label extends number | string = number> {
  readonly steps: [string, Step][];

  /** `steps`: [name, transformer] pairs, then [name, estimator]; `Label` is the estimator's (inferred). */
  constructor(steps: [string, Transformer | LogisticRegression<Label> | LinearRegression | PoissonRegression][]) {
    if (!Array.isArray(steps) || steps.length === 0)
      throw new ArgumentError("steps", "a non-empty list of [name, step] pairs", steps, "Pipeline");
    const names = new Set<string>();
    steps.forEach((pair, i) => {
      // a bare step (no name) or null would fail destructuring with a raw TypeError
      if (!Array.isArray(pair) || pair.length !== 2) throw new ArgumentError(`steps[${i}]`, "a [name, step] pair", pair, "Pipeline");
      const [name, step] = pair;
      if (typeof name !== "string" || name.length === 0 || name.includes("__"))
        throw new ArgumentError(`steps[${i}]`, "a name without '__'", name, "Pipeline");
      if (names.has(name)) throw new ArgumentError(`steps[${i}]`, "a name not used by another step", name, "Pipeline");
      names.add(name);
      const last = i === steps.length - 1;
      if (!last && !isTransformer(step))
        throw new ArgumentError(`steps[${i}]`, "a transformer (fit, transform) before the last step", name, "Pipeline");
      if (last && (isTransformer(step) || !isEstimator(step)))
        throw new ArgumentError(`steps[${i}]`, "an estimator (fit, predict, score) as the last step", name, "Pipeline");
    });
    this.steps = steps;
  }

  get final(): Estimator {
    return this.steps[this.steps.length - 1]![1] as Estimator;
  }

  get transformers(): [string, Transformer][] {
    return this.steps.slice(0, -1) as [string, Transformer][];
  }

  get estimatorKind(): "classifier" | "regressor" {
    return this.final.estimatorKind;
  }

  /** Every step's parameters, named `step__param`. */
  getParams(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, step] of this.steps) for (const [k, v] of Object.entries(step.getParams())) out[`${name}__${k}`] = v;
    return out;
  }

  /** Sets `step__param` parameters, each step's through its own setParams; an unknown name fails, naming the valid ones. */
  setParams(params: Record<string, unknown>): this {
    checkParamNames(params, Object.keys(this.getParams()), "Pipeline.setParams");
    const byStep = new Map<string, Record<string, unknown>>();
    for (const [full, value] of Object.entries(params)) {
      // a valid name is a step's name (which has no '__'), '__', then one of the step's parameters
      const cut = full.indexOf("__");
      const name = full.slice(0, cut);
      (byStep.get(name) ?? byStep.set(name, {}).get(name)!)[full.slice(cut + 2)] = value;
    }
    for (const [name, p] of byStep) this.steps.find(([n]) => n === name)![1].setParams(p);
    return this;
  }

  /** The fitted pipeline as JSON: every step's toJSON() (weft's transformers and estimators), by name. */
  toJSON(): PipelineJSON {
    return {
      kind: "Pipeline",
      steps: this.steps.map(([name, step]) => {
        const save = (step as { toJSON?: () => TransformerJSON | ModelJSON }).toJSON;
        if (typeof save !== "function") throw new WeftError(`Pipeline.toJSON: step '${name}' cannot be saved (it has no toJSON)`);
        return [name, save.call(step)];
      }),
    };
  }

  /** A pipeline saved by toJSON(), every step read back by its own fromJSON (which checks it); errors name `json`. */
  static fromJSON<Label extends number | string = number>(json: PipelineJSON): Pipeline<Label> {
    if (json === null || typeof json !== "object" || json.kind !== "Pipeline" || !Array.isArray(json.steps))
      throw new ArgumentError("json", "a saved Pipeline (toJSON())", json, "Pipeline.fromJSON");
    const steps = json.steps.map((pair, i) => {
      const kind: unknown = Array.isArray(pair) ? (pair[1] as { kind?: unknown } | null)?.kind : undefined;
      const saved = typeof kind === "string" && Object.hasOwn(SAVED_STEPS, kind) ? SAVED_STEPS[kind] : undefined;
      if (!saved)
        throw new ArgumentError(
          `json.steps[${i}]`,
          `[name, a saved step of a known kind: ${Object.keys(SAVED_STEPS).join(", ")}]`,
          pair,
          "Pipeline.fromJSON",
        );
      return [pair[0], saved.fromJSON(pair[1] as never)] as [string, Transformer];
    });
    return new Pipeline<Label>(steps);
  }

  /** An unfitted copy: every step cloned. */
  clone(): Pipeline<Label> {
    return new Pipeline<Label>(this.steps.map(([n, s]) => [n, s.clone() as Step]));
  }

  /**
   * Fits the transformers, then the final estimator on their output; `signal` aborts the fit,
   * `sampleWeight` weighs the final estimator's rows (the transformers' statistics are unweighted).
   */
  async fit(X: MatrixLike, y: LabelsOf<Label>, options: Pick<FitOptions, "signal" | "sampleWeight"> = {}): Promise<this> {
    let Xt = await this.matrix(X, "Pipeline.fit");
    for (const [, t] of this.transformers) Xt = (await t.fit(Xt)).transform(Xt);
    await this.final.fit(Xt, y, options);
    return this;
  }

  /**
   * X as the estimators accept it (a ChunkedArray, rows of numbers, or { data, shape }), made a
   * ChunkedArray chunked for the final estimator's runtime.
   */
  private async matrix(X: MatrixLike, where: string): Promise<ChunkedArray> {
    if (X instanceof ChunkedArray) return X;
    const runtime = this.final.options.runtime ?? (await getDefaultRuntime());
    return toMatrix(X, where, { chunkRows: this.final.options.chunkRows, threads: runtime.threads });
  }

  /** X through the fitted transformers (a ChunkedArray, computed lazily). */
  async transform(X: MatrixLike): Promise<ChunkedArray> {
    let Xt = await this.matrix(X, "Pipeline.transform");
    for (const [, t] of this.transformers) Xt = t.transform(Xt);
    return Xt;
  }

  /** The final estimator's predictions on X through the transformers: class labels, or predicted means. */
  async predict(X: MatrixLike): Promise<Label extends string ? string[] : Float64Array> {
    return (await this.final.predict(await this.transform(X))) as Label extends string ? string[] : Float64Array;
  }

  /** The final classifier's probability of its positive class (`classes[1]`) per row, X through the transformers. */
  async predictProba(X: MatrixLike): Promise<Float64Array> {
    const f = this.final as LogisticRegression;
    if (typeof f.predictProba !== "function") throw new WeftError("predictProba needs a classifier as the last step");
    return f.predictProba(await this.transform(X));
  }

  /** The final estimator's score on X through the transformers (weighted by `sampleWeight` when given). */
  async score(X: MatrixLike, y: LabelsOf<Label>, options?: ScoreOptions): Promise<number> {
    return this.final.score(await this.transform(X), y, options);
  }
}
