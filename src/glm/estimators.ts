/**
 * scikit-learn-like estimators over the solvers: LogisticRegression, LinearRegression and
 * PoissonRegression. `await model.fit(X, y)` persists the data on the runtime, compiles the
 * evaluation plans once and runs the chosen solver; the coefficients then live in JS
 * (`coef`, `intercept`), and predictions need no runtime. Each scores with src/metrics'
 * function for its kind: accuracy, R^2, D^2.
 */
import { toMatrix, type MatrixLike, type VectorLike } from "../base/inputs.js";
import { getDefaultRuntime } from "../runtime/runtime.js";
import {
  binaryClasses,
  checkClasses,
  decodeLabels,
  encodeLabels,
  labelValues,
  persistedValues,
  type Classes,
  type LabelsLike,
  type LabelsOf,
} from "../base/labels.js";
import type { GlmProblem } from "./problem.js";
import { isDistributedData, type DistributedData } from "./distributed.js";
import { ArgumentError } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { accuracy, d2Poisson, r2 } from "../metrics/index.js";
import { checkOptions, firstNonFinite } from "../validate.js";
import { GlmEstimator } from "./estimator.js";
import { ESTIMATOR_OPTIONS, type EstimatorOptions, type FitOptions, type ScoreOptions } from "./options.js";
import { savedOptions, type ModelJSON } from "./saved-model.js";

/**
 * Logistic regression for two classes, with an optional L1, L2 or elastic-net penalty (lambda =
 * 1/C of scikit-learn). The classes are learned at fit from y: any two labels, numbers or strings,
 * sorted as scikit-learn sorts them (`classes`), the second being the positive class.
 * `predictProba` gives the probability of `classes[1]`; `score` is accuracy.
 *
 * `Label` types what predict returns and what fit and score take (a type parameter rather than
 * overloads, since the labels are fixed at fit and predict is called later): with the default
 * (`number`) y is numbers and predict gives a Float64Array of the numeric labels (0/1 data
 * predicts 0/1 exactly as before); declare `new LogisticRegression<string>()` to fit string labels
 * and get a `string[]` back. TypeScript refuses string labels given to a numeric model, whose
 * predict would not return what its type says; `LogisticRegression<number | string>` takes both.
 */
export class LogisticRegression<Label extends number | string = number> extends GlmEstimator {
  protected readonly familyName = "logistic" as const;
  protected readonly kind = "LogisticRegression" as const;
  /** The two classes, sorted (`[negative, positive]`), learned by fit; scikit-learn's `classes_`. */
  classes: Classes | undefined;

  /**
   * Learns the classes from y (exactly two distinct labels) and fits on their codes (0 for
   * classes[0], 1 for classes[1]); y may be numbers of any two values, or strings. @internal
   */
  override async createProblem(X: MatrixLike, y: LabelsLike, sampleWeight?: VectorLike): Promise<GlmProblem> {
    // X's own faults are named first, as for the other estimators: the problem checks them before y
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    const Xa = toMatrix(X, "fit", { chunkRows: this.options.chunkRows, threads: runtime.threads });
    if (Xa.ndim !== 2 || Xa.shape[0] === 0 || Xa.shape[1] === 0) return super.createProblem(Xa, y, sampleWeight);
    // labels persisted on this runtime (a grid search's folds, a loop's data) are read in place;
    // 0/1 ones then go to the problem as they are, which checks them (finite, length) as always
    const inPlace = persistedValues(y, runtime);
    if (inPlace && y instanceof ChunkedArray && y.shape[0] === Xa.shape[0]) {
      const classes = binaryClasses(inPlace, "fit");
      if (classes[0] === 0 && classes[1] === 1) {
        const problem = await super.createProblem(Xa, y, sampleWeight);
        this.classes = classes;
        return problem;
      }
    }
    const values = await labelValues(y, undefined, runtime, "fit");
    // y's length first, in the problem's words (as for the other estimators): a y of the wrong
    // length is that, whatever its classes
    if (values.length !== Xa.shape[0])
      throw new ArgumentError("y", `a 1-D array of ${Xa.shape[0]} values (one per row of X)`, `shape [${values.length}]`, "fit");
    const classes = binaryClasses(values, "fit");
    // 0/1 labels are their own codes: the values just computed go to the problem (a lazy y is
    // not computed a second time by its persist)
    const zeroOne = classes[0] === 0 && classes[1] === 1;
    const coded = zeroOne ? (values as Float64Array) : encodeLabels(values, classes, "fit");
    const problem = await super.createProblem(Xa, coded, sampleWeight);
    this.classes = classes;
    return problem;
  }

  /**
   * Probability of the positive class (`classes[1]`) per row; that of `classes[0]` is 1 minus it.
   * scikit-learn's predict_proba gives both, as two columns; here the one vector, which is what a
   * binary classifier's callers (metrics such as logLoss and rocAuc, thresholds) read.
   */
  async predictProba(X: MatrixLike): Promise<Float64Array> {
    return this.predictMean(X);
  }

  /** The class label per row: `classes[1]` where its probability is at least 0.5, else `classes[0]`. */
  async predict(X: MatrixLike): Promise<Label extends string ? string[] : Float64Array> {
    const codes = this.fromLinearPredictor(await this.decisionFunction(X), "predict");
    return decodeLabels(codes, this.classes ?? [0, 1]) as Label extends string ? string[] : Float64Array;
  }

  /**
   * Learns the classes from y and fits on their codes, with the options every estimator's fit
   * takes (sampleWeight, initialCoef, signal, onWarning). y's type follows `Label`: numbers, or strings.
   */
  override fit(data: DistributedData, options?: FitOptions): Promise<this>;
  override fit(X: MatrixLike, y: LabelsOf<Label>, options?: FitOptions): Promise<this>;
  override async fit(X: MatrixLike | DistributedData, y?: LabelsOf<Label> | FitOptions, options?: FitOptions): Promise<this> {
    return isDistributedData(X) ? super.fit(X, y as FitOptions | undefined) : super.fit(X, y as LabelsLike, options);
  }

  /** A distributed dataset's labels are 0 and 1 (its workers check them). @internal */
  protected override afterDistributedFit(): void {
    this.classes = [0, 1];
  }

  /** Probabilities (`"proba"`), or the code (0/1) of the class with the higher one (`"predict"`). @internal */
  override fromLinearPredictor(eta: Float64Array, what: "predict" | "proba"): Float64Array {
    const proba = super.fromLinearPredictor(eta, what);
    return what === "predict" ? proba.map((p) => (p >= 0.5 ? 1 : 0)) : proba;
  }

  /** Accuracy (weighted by `sampleWeight` when given); y's labels must be the model's classes. */
  async score(X: MatrixLike, y: LabelsOf<Label>, options?: ScoreOptions): Promise<number> {
    const codes = this.fromLinearPredictor(await this.decisionFunction(X), "predict");
    const truth = encodeLabels(await labelValues(y, codes.length, this.options.runtime, "score"), this.classes ?? [0, 1], "score");
    return accuracy(truth, codes, { sampleWeight: await this.sampleWeightFor(options, codes.length) });
  }

  override toJSON(): ModelJSON {
    return { ...super.toJSON(), classes: [...(this.classes ?? [0, 1])] as ModelJSON["classes"] };
  }

  protected override load(json: ModelJSON): this {
    super.load(json);
    // a model saved before classes were kept was fitted on 0/1 labels
    if (json.classes === undefined) this.classes = [0, 1];
    else {
      const classes = checkClasses(json.classes);
      if (!classes)
        throw new ArgumentError(
          "json",
          "a saved LogisticRegression whose classes are two distinct labels, sorted",
          json.classes,
          "fromJSON",
        );
      this.classes = classes;
    }
    return this;
  }

  static fromJSON<Label extends number | string = number>(json: ModelJSON): LogisticRegression<Label> {
    return new LogisticRegression<Label>(savedOptions(json)).load(json);
  }
}

/**
 * Linear regression (the normal family): least squares with an optional L1, L2 or elastic-net
 * penalty. `score` is R^2.
 */
export class LinearRegression extends GlmEstimator {
  protected readonly familyName = "normal" as const;
  protected readonly kind = "LinearRegression" as const;

  constructor(options: EstimatorOptions = {}) {
    // checked before the spread, which would make null or a string into {}
    super({ regularizer: "none", ...checkOptions(options, "estimator", ESTIMATOR_OPTIONS) });
  }

  async predict(X: MatrixLike): Promise<Float64Array> {
    return this.decisionFunction(X);
  }

  /**
   * R^2. For a constant y (nothing to explain) it is 1 for a perfect prediction, else 0, as
   * scikit-learn's r2_score (force_finite) gives, rather than -Infinity; one row is refused.
   * Weighted by `sampleWeight` when given.
   */
  async score(X: MatrixLike, y: LabelsLike, options?: ScoreOptions): Promise<number> {
    const pred = await this.predict(X);
    return r2(await this.truthFor(y, pred.length, "R^2"), pred, { sampleWeight: await this.sampleWeightFor(options, pred.length) });
  }

  static fromJSON(json: ModelJSON): LinearRegression {
    return new LinearRegression(savedOptions(json)).load(json);
  }
}

/**
 * Poisson regression (log link) for counts, with an optional penalty. `predict` gives the expected
 * count; `score` is the fraction of deviance explained.
 */
export class PoissonRegression extends GlmEstimator {
  protected readonly familyName = "poisson" as const;
  protected readonly kind = "PoissonRegression" as const;

  /** The expected count per row. */
  async predict(X: MatrixLike): Promise<Float64Array> {
    return this.predictMean(X);
  }

  /**
   * Fraction of Poisson deviance explained (scikit-learn's D^2 for Poisson regression). For a
   * constant y (no deviance to explain) it is 1 for a perfect prediction, else 0, as for R^2;
   * one row is refused. Weighted by `sampleWeight` when given.
   */
  async score(X: MatrixLike, y: LabelsLike, options?: ScoreOptions): Promise<number> {
    const mu = await this.predict(X);
    const bad = firstNonFinite(mu);
    if (bad >= 0) {
      // exp(X beta) overflowed: D^2 has no value, and the rows are the user's to look at
      throw new ArgumentError("X", "rows whose expected count exp(X beta) is finite", `row ${bad}: ${mu[bad]}`, "PoissonRegression.score");
    }
    return d2Poisson(await this.truthFor(y, mu.length, "D^2"), mu, { sampleWeight: await this.sampleWeightFor(options, mu.length) });
  }

  static fromJSON(json: ModelJSON): PoissonRegression {
    return new PoissonRegression(savedOptions(json)).load(json);
  }
}
