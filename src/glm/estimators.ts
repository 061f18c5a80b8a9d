/**
 * scikit-learn-like estimators over the solvers: LogisticRegression, LinearRegression and
 * PoissonRegression. `await model.fit(X, y)` persists the data on the runtime, compiles the
 * evaluation plans once and runs the chosen solver; the coefficients then live in JS
 * (`coef`, `intercept`), and predictions need no runtime. Each scores with src/metrics'
 * function for its kind: accuracy, R^2, D^2.
 */
import type { MatrixLike, VectorLike } from "../base/inputs.js";
import { ArgumentError } from "../errors.js";
import { accuracy, d2Poisson, r2 } from "../metrics/index.js";
import { checkOptions, firstNonFinite } from "../validate.js";
import { GlmEstimator } from "./estimator.js";
import { ESTIMATOR_OPTIONS, type EstimatorOptions, type ScoreOptions } from "./options.js";
import { savedOptions, type ModelJSON } from "./saved-model.js";

/**
 * Logistic regression for 0/1 labels with an optional L1, L2 or elastic-net penalty (lambda = 1/C
 * of scikit-learn). `predictProba` gives P(y = 1); `score` is accuracy.
 */
export class LogisticRegression extends GlmEstimator {
  protected readonly familyName = "logistic" as const;
  protected readonly kind = "LogisticRegression" as const;

  /** Probability of class 1 per row. */
  async predictProba(X: MatrixLike): Promise<Float64Array> {
    return this.predictMean(X);
  }

  /** Class (0 or 1) per row. */
  async predict(X: MatrixLike): Promise<Float64Array> {
    return this.fromLinearPredictor(await this.decisionFunction(X), "predict");
  }

  /** Probabilities (`"proba"`), or the class with the higher one (`"predict"`). @internal */
  override fromLinearPredictor(eta: Float64Array, what: "predict" | "proba"): Float64Array {
    const proba = super.fromLinearPredictor(eta, what);
    return what === "predict" ? proba.map((p) => (p >= 0.5 ? 1 : 0)) : proba;
  }

  /** Accuracy (weighted by `sampleWeight` when given). */
  async score(X: MatrixLike, y: VectorLike, options?: ScoreOptions): Promise<number> {
    const pred = await this.predict(X);
    return accuracy(await this.truthFor(y, pred.length), pred, { sampleWeight: await this.sampleWeightFor(options, pred.length) });
  }

  static fromJSON(json: ModelJSON): LogisticRegression {
    return new LogisticRegression(savedOptions(json)).load(json);
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
  async score(X: MatrixLike, y: VectorLike, options?: ScoreOptions): Promise<number> {
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
  async score(X: MatrixLike, y: VectorLike, options?: ScoreOptions): Promise<number> {
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
