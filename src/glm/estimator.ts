/**
 * What the GLM estimators share: options as parameters (base/BaseEstimator), fit on JS data or
 * weft arrays (the data persisted, the plans compiled once, the chosen solver run in scaled
 * coordinates), predictions from the coefficients, which then live in JS, and saving to JSON.
 * The three estimators (estimators.ts) add their family, their predictions and their score.
 *
 * The objective is sum_i loss_i + lambda * R(coef) (intercept unpenalized): lambda = 1/C of
 * scikit-learn, so fitted coefficients compare directly. With `sampleWeight` it is
 * sum_i w_i loss_i + lambda * R(coef), scikit-learn's objective with sample_weight: integer
 * weights fit as the rows repeated, a weight of 0 as the row left out.
 */
import { emitWarning } from "../platform/warnings.js";
import { ArgumentError, WeftError } from "../errors.js";
import { fromTypedArray } from "../array/create.js";
import { BaseEstimator, parametersOf } from "../base/params.js";
import { toMatrix, toVector, vectorValues, type MatrixLike, type VectorLike } from "../base/inputs.js";
import type { LabelsLike } from "../base/labels.js";
import { checkTwoValues } from "../metrics/index.js";
import { checkSampleWeight } from "../metrics/checks.js";
import { checkOptions } from "../validate.js";
import { getDefaultRuntime } from "../runtime/runtime.js";
import { family as familyOf, type FamilyName } from "./families.js";
import {
  checkEstimatorOptions,
  checkFitOptions,
  type EstimatorOptions,
  type FitOptions,
  type FitWarning,
  type ScoreOptions,
} from "./options.js";
import { pairsForFit, pairsFromCoordinates, type PathStart } from "./path-start.js";
import { GlmProblem } from "./problem.js";
import { isDistributedData, type DistributedData, type RemoteProblem } from "./distributed.js";
import { Regularizer } from "./regularizers.js";
import { checkSavedModel, type ModelJSON } from "./saved-model.js";
import { Coordinates, typicalWeight } from "./scaling.js";
import { ScaledObjective } from "./scaled-objective.js";
import { admm } from "./solvers/admm.js";
import { DEFAULT_TOL, formatSmall, Penalized, type SolverResult } from "./solvers/common.js";
import { gradientDescent } from "./solvers/gradient-descent.js";
import { lbfgs } from "./solvers/lbfgs.js";
import { newton } from "./solvers/newton.js";
import { proximalGrad } from "./solvers/proximal.js";

/** A GLM estimator of one family: fit, predict, save; its parameters are its options. */
export abstract class GlmEstimator extends BaseEstimator<EstimatorOptions> {
  protected abstract readonly familyName: FamilyName;
  protected abstract override readonly kind: ModelJSON["kind"];
  options: EstimatorOptions;
  /** The fitted coefficients (one per feature). */
  coef: Float64Array | undefined;
  intercept = 0;
  nIter = 0;
  objective = NaN;
  converged = false;
  /** The objective after every iteration of the last fit. */
  history: number[] = [];
  /**
   * The optimality residual at the fitted coefficients: the largest entry of the gradient (with an
   * L1 part, of the proximal-gradient (KKT) residual), scaled to the data. `converged` means it
   * is at most `tol`.
   */
  optimality = NaN;
  /** What `optimality` measures, in words. */
  optimalityMeasure = "";
  /** ADMM's primal and dual residuals at the end of the last fit. */
  residuals: { primal: number; dual: number } | undefined;
  private lastPath: PathStart | undefined;

  constructor(options: EstimatorOptions = {}) {
    super();
    this.options = checkEstimatorOptions(options);
  }

  /** The parameters getParams always lists (options given beside them are listed too). */
  protected paramDefaults(): Record<string, unknown> {
    return {
      solver: undefined,
      regularizer: undefined,
      lambda: undefined,
      l1Ratio: undefined,
      fitIntercept: undefined,
      maxIter: undefined,
      tol: undefined,
    };
  }

  /** Checked as the constructor checks them: errors say `estimator`, as the constructor's do. */
  protected checkedOptions(options: EstimatorOptions): EstimatorOptions {
    return checkEstimatorOptions(options);
  }

  /** Sets parameters by name (validated as the constructor does); unknown names fail, naming the valid ones. */
  override setParams(params: Record<string, unknown>): this {
    // a new penalty brings its own default solver, unless one is given with it
    const solverChanges = params !== null && typeof params === "object" && "regularizer" in params && !("solver" in params);
    return super.setParams(solverChanges ? { solver: undefined, ...params } : params);
  }

  /**
   * Fits the model to X (rows x features) and y (one value per row). `sampleWeight` (one weight
   * >= 0 per row) weighs each row's loss. `initialCoef` (the coefficients, then the intercept)
   * starts the solver there: a warm start along a regularization path.
   */
  fit(data: DistributedData, options?: FitOptions): Promise<this>;
  fit(X: MatrixLike, y: LabelsLike, options?: FitOptions): Promise<this>;
  async fit(X: MatrixLike | DistributedData, y?: LabelsLike | FitOptions, options: FitOptions = {}): Promise<this> {
    if (isDistributedData(X)) return this.fitDistributed(X, (y ?? {}) as FitOptions);
    return this.fitLocal(X, y as LabelsLike, options);
  }

  /** fit() on rows held where they were read (weftjs/cluster's datasets): the same solvers, on sums from there. */
  private async fitDistributed(data: DistributedData, options: FitOptions): Promise<this> {
    const where = `${this.kind}.fit`;
    const { initialCoef, sampleWeight } = checkFitOptions(options, where);
    if (sampleWeight !== undefined)
      throw new ArgumentError("sampleWeight", "none for a distributed dataset (its rows are not here to weigh)", "weights", where);
    const signal = options.signal ?? this.options.signal;
    if (signal?.aborted) throw signal.reason;
    const problem = await data.glmProblem(this.familyName, this.options.fitIntercept ?? true, signal);
    try {
      if (initialCoef && initialCoef.length !== problem.n)
        throw new ArgumentError("initialCoef", `${problem.n} values`, `${initialCoef.length} values`, where);
      await this.fitProblem(problem, { ...options, initialCoef });
      this.afterDistributedFit();
      return this;
    } finally {
      problem.release();
    }
  }

  /** What a subclass records after a distributed fit (LogisticRegression: its classes, 0 and 1). @internal */
  protected afterDistributedFit(): void {}

  private async fitLocal(X: MatrixLike, y: LabelsLike, options: FitOptions): Promise<this> {
    const where = `${this.kind}.fit`;
    const { initialCoef, sampleWeight } = checkFitOptions(options, where);
    const signal = options.signal ?? this.options.signal;
    if (signal?.aborted) throw signal.reason;
    const problem = await this.createProblem(X, y, sampleWeight);
    try {
      // known only now: the coefficients (then the intercept, if fitted) a warm start must give
      if (initialCoef && initialCoef.length !== problem.n) {
        const what = problem.intercept ? `${problem.p} coefficients then the intercept` : `${problem.p} coefficients`;
        throw new ArgumentError("initialCoef", `${problem.n} values (${what})`, `${initialCoef.length} values`, where);
      }
      return await this.fitProblem(problem, { ...options, initialCoef });
    } finally {
      problem.release();
    }
  }

  /**
   * The GLM problem this estimator fits on X and y, rows weighted by `sampleWeight` when given
   * (persisted, checked, plans compiled). @internal
   * Grid search makes one per fold and shares it among the candidates (fitProblem).
   */
  async createProblem(X: MatrixLike, y: LabelsLike, sampleWeight?: VectorLike): Promise<GlmProblem> {
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    const Xa = toMatrix(X, "fit", { chunkRows: this.options.chunkRows, threads: runtime.threads });
    // labels (LogisticRegression's, strings included) are coded 0/1 by its override; here y is numbers
    const ya = toVector(y as VectorLike, "y", "fit");
    const wa = sampleWeight === undefined ? undefined : toVector(sampleWeight, "sampleWeight", "fit");
    return GlmProblem.create(runtime, Xa, ya, this.familyName, this.options.fitIntercept ?? true, wa);
  }

  /** What createProblem's problems depend on: candidates with equal keys can share one. @internal */
  get problemKey(): string {
    return `${this.familyName}/${this.options.fitIntercept ?? true}/${this.options.chunkRows ?? ""}`;
  }

  /**
   * Fits on a problem from createProblem (which the caller releases). `path` warm-starts from a
   * neighbouring fit along a regularization path (its coefficients and, for lbfgs, its curvature
   * pairs, shifted by the change of the L2 weight: exact, since the data part is unchanged).
   * @internal
   */
  async fitProblem(problem: GlmProblem | RemoteProblem, options: FitOptions & { path?: PathStart } = {}): Promise<this> {
    const intercept = problem.intercept,
      p = problem.p;
    const reg = new Regularizer(this.options.regularizer!, this.options.lambda!, this.options.l1Ratio ?? 0.5);
    // the solvers work in scaled coordinates (glm/scaling.ts): the user's problem, well conditioned
    const stats = problem.statistics();
    const coords = Coordinates.forProblem(stats, problem.family, intercept, reg.l2);
    const objective = new Penalized(new ScaledObjective(problem, coords), reg.weights(p, coords.scale), coords.optimalityScale);
    const start = new Float64Array(problem.n);
    const initial = options.path?.coef ?? options.initialCoef;
    if (initial) start.set(initial.subarray(0, problem.n));
    const signal = options.signal ?? this.options.signal;
    // in these coordinates every direction's curvature is about rows (the sum of the sample
    // weights, with them) x the family's typical weight
    const curvature = stats.weightSum * typicalWeight(problem.family, stats, intercept);
    const common = { maxIter: this.options.maxIter, tol: this.options.tol, onIteration: this.options.onIteration, signal, curvature };
    const pairs = pairsForFit(options.path, reg.l2, reg.smooth, p, coords);
    const gamma0 = coords.toScaled(start);
    let result: SolverResult;
    switch (this.options.solver!) {
      case "lbfgs":
        result = await lbfgs(objective, gamma0, { ...common, warmStart: initial !== undefined, initialPairs: pairs });
        break;
      case "newton":
        result = await newton(objective, gamma0, common);
        break;
      case "gradient_descent":
        result = await gradientDescent(objective, gamma0, common);
        break;
      case "proximal_grad":
        result = await proximalGrad(objective, gamma0, { ...common, fista: this.options.fista });
        break;
      case "admm": {
        result = await admm(objective, gamma0, { ...common, rho: this.options.rho, rho0: curvature / Math.max(problem.chunks, 1) });
        break;
      }
    }
    const beta = coords.toOriginal(result.beta);
    this.coef = beta.slice(0, p);
    this.intercept = intercept ? beta[p]! : 0;
    this.nIter = result.nIter;
    this.objective = result.objective;
    this.converged = result.converged;
    this.optimality = result.optimality;
    this.optimalityMeasure = reg.smooth ? "the largest scaled gradient entry" : "the largest scaled proximal-gradient (KKT) residual";
    this.residuals = result.residuals;
    this.history = result.history;
    this.lastPath = {
      coef: beta,
      pairs: result.pairs ? pairsFromCoordinates(result.pairs, coords) : undefined,
      l2: reg.l2,
      smooth: reg.smooth,
    };
    const warn = (code: FitWarning["code"], message: string) => {
      const warning: FitWarning = {
        code,
        message,
        optimality: result.optimality,
        tol: this.options.tol ?? DEFAULT_TOL,
        iterations: result.nIter,
        solver: this.options.solver!,
      };
      if (options.onWarning) options.onWarning(warning);
      else emitWarning(message, { code });
    };
    const unpenalized = reg.l1 === 0 && reg.l2 === 0;
    // the separation check reads every row's linear predictor: here only (a remote problem's rows are elsewhere)
    if (problem.family.name === "logistic" && unpenalized && problem instanceof GlmProblem) {
      const eta = await problem.linearPredictor(beta);
      const labels = problem.labels();
      const weights = problem.weights();
      let separated = true,
        saturated = 0;
      for (let i = 0; i < eta.length; i++) {
        if (weights?.[i] === 0) continue; // a row of weight 0 is not in the loss
        if ((2 * labels[i]! - 1) * eta[i]! <= 0) separated = false;
        if (Math.abs(eta[i]!) > 36) saturated += 1; // a probability within 2e-16 of 0 or 1
      }
      if (separated) {
        this.converged = false;
        warn(
          "WEFT_NO_FINITE_OPTIMUM",
          `${this.kind}: the classes are separable by a hyperplane, so without a penalty the loss has no minimum: it falls toward 0 as the coefficients grow without bound, and these (largest |coef| ${Math.max(...Array.from(this.coef, Math.abs)).toPrecision(3)}) only grow with more iterations. Add a penalty (regularizer 'l2', lambda > 0).`,
        );
        return this;
      }
      if (saturated > 0) {
        warn(
          "WEFT_SATURATED",
          `${this.kind}: ${saturated} fitted probabilities are numerically 0 or 1: the classes may be (nearly) separable, where without a penalty no finite optimum exists and the coefficients grow with every iteration; they are large and poorly determined. Add a penalty (regularizer 'l2', lambda > 0).`,
        );
      }
    }
    if (!this.converged) {
      warn(
        "WEFT_NOT_CONVERGED",
        `${this.kind} (${this.options.solver}) did not converge in ${result.nIter} iterations: ${this.optimalityMeasure} is ${result.optimality.toPrecision(3)}, above tol ${formatSmall(this.options.tol ?? DEFAULT_TOL)}. Try a larger maxIter, standardized features (preprocessing.StandardScaler), or another solver${this.options.solver === "lbfgs" || this.options.solver === "newton" ? "" : reg.smooth ? " (lbfgs or newton)" : ""}.`,
      );
    }
    return this;
  }

  /** Where this fit ended, for a neighbouring fit's `path` warm start. @internal */
  get pathStart(): PathStart | undefined {
    return this.lastPath;
  }

  /** "classifier" or "regressor": which scorers apply. */
  get estimatorKind(): "classifier" | "regressor" {
    return this.familyName === "logistic" ? "classifier" : "regressor";
  }

  /** The fitted coefficients then the intercept: a warm start for a neighbouring fit. */
  get coefficients(): Float64Array | undefined {
    return this.coef ? Float64Array.of(...this.coef, this.intercept) : undefined;
  }

  /** The linear predictor X coef + intercept, per row. */
  async decisionFunction(X: MatrixLike): Promise<Float64Array> {
    if (!this.coef) throw new WeftError(`${this.kind} is not fitted: call fit() first`);
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    const Xa = toMatrix(X, "predict", { chunkRows: this.options.chunkRows, threads: runtime.threads });
    if (Xa.ndim !== 2 || Xa.shape[1] !== this.coef.length) {
      throw new ArgumentError(
        "X",
        `a matrix with ${this.coef.length} columns (the features fitted)`,
        `shape [${Xa.shape.join(", ")}]`,
        "predict",
      );
    }
    const eta = (await Xa.matmul(fromTypedArray(this.coef)).add(this.intercept).compute({ runtime })) as Float64Array;
    // a NaN or infinite feature makes its row's prediction meaningless: say which row
    const bad = eta.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new ArgumentError("X", "finite values", `a non-finite value in row ${bad} (its linear predictor is ${eta[bad]})`, "predict");
    return eta;
  }

  /** The predicted mean per row (the probability for logistic regression: see predict there). */
  async predictMean(X: MatrixLike): Promise<Float64Array> {
    return this.fromLinearPredictor(await this.decisionFunction(X), "proba");
  }

  /**
   * What predict (`"predict"`) or predictProba (`"proba"`, logistic only) returns for rows whose
   * linear predictors X coef + intercept are `eta`, computed elsewhere (grid search computes
   * every candidate's in one pass over the test rows): the family's mean, which LogisticRegression
   * turns into classes for `"predict"`. @internal
   */
  fromLinearPredictor(eta: Float64Array, _what: "predict" | "proba"): Float64Array {
    const f = familyOf(this.familyName);
    return eta.map((e) => f.mean(e));
  }

  /** Per row: the class label (LogisticRegression; strings for string classes), or the predicted mean. */
  abstract predict(X: MatrixLike): Promise<Float64Array | string[]>;
  abstract score(X: MatrixLike, y: LabelsLike, options?: ScoreOptions): Promise<number>;

  /**
   * The true values for score(): one per row predicted, each a valid label of the family (0/1
   * for logistic, a count >= 0 for Poisson, finite for all), as fit() asks of y; with `measure`
   * (R^2, D^2), at least two of them.
   */
  protected async truthFor(y: LabelsLike, rows: number, measure?: string): Promise<Float64Array> {
    // numbers only: a list of strings is refused by the check, naming y
    const values = await vectorValues(y as VectorLike, rows, this.options.runtime, "score");
    const f = familyOf(this.familyName);
    for (let i = 0; i < values.length; i++) {
      const why = Number.isFinite(values[i]!) ? f.checkLabel(values[i]!) : "a finite number";
      if (why) throw new ArgumentError("y", `${why} for the ${f.name} family`, `${values[i]} at row ${i}`, "score");
    }
    if (measure) checkTwoValues(values.length, measure, "y", "score");
    return values;
  }

  /** score()'s sample weights, one per row predicted, checked as fit() checks them; undefined when not given. */
  protected async sampleWeightFor(options: ScoreOptions | undefined, rows: number): Promise<Float64Array | undefined> {
    const given = checkOptions(options, "score", ["sampleWeight"]).sampleWeight;
    if (given === undefined) return undefined;
    const values = await vectorValues(given, rows, this.options.runtime, "score", "sampleWeight");
    checkSampleWeight({ sampleWeight: values }, rows, "score");
    return values;
  }

  toJSON(): ModelJSON {
    if (!this.coef) throw new WeftError(`${this.kind} is not fitted: nothing to save`);
    return {
      kind: this.kind,
      family: this.familyName,
      coef: Array.from(this.coef),
      intercept: this.intercept,
      options: parametersOf(this.options),
      nIter: this.nIter,
      objective: this.objective,
      converged: this.converged,
      optimality: this.optimality,
    };
  }

  /** This estimator with a saved model's coefficients and fit record (checked first). */
  protected load(json: ModelJSON): this {
    checkSavedModel(json, this.kind);
    this.coef = Float64Array.from(json.coef);
    this.intercept = json.intercept;
    this.nIter = json.nIter ?? 0;
    this.objective = json.objective ?? NaN;
    this.converged = json.converged ?? false;
    this.optimality = json.optimality ?? NaN;
    return this;
  }
}
