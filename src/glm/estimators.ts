/**
 * scikit-learn-like estimators over the solvers: LogisticRegression, LinearRegression and
 * PoissonRegression. `await model.fit(X, y)` persists the data on the runtime, compiles the
 * evaluation plans once and runs the chosen solver; the coefficients then live in JS
 * (`coef`, `intercept`), and predictions need no runtime.
 *
 * The objective is sum_i loss_i + lambda * R(coef) (intercept unpenalized): lambda = 1/C of
 * scikit-learn, so fitted coefficients compare directly.
 */
import { ArgumentError, WeftError, describe } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { getDefaultRuntime, Runtime } from "../runtime/runtime.js";
import { fractionExplained } from "./explained.js";
import { checkFunction, checkOptions, checkSignal, firstNonFinite } from "../validate.js";
import { family as familyOf, type FamilyName } from "./families.js";
import { GlmProblem } from "./problem.js";
import { Regularizer, REGULARIZERS, type RegularizerName } from "./regularizers.js";
import { admm } from "./solvers/admm.js";
import { Coordinates, typicalWeight } from "./scaling.js";
import { ScaledObjective } from "./scaled-objective.js";
import { DEFAULT_TOL, formatSmall, Penalized, type CurvaturePairs, type SolverResult } from "./solvers/common.js";
import { gradientDescent } from "./solvers/gradient-descent.js";
import { lbfgs } from "./solvers/lbfgs.js";
import { newton } from "./solvers/newton.js";
import { proximalGrad } from "./solvers/proximal.js";

export const SOLVERS = ["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"] as const;
/** A solver's name: lbfgs, newton, gradient_descent, proximal_grad or admm. */
export type SolverName = (typeof SOLVERS)[number];

/**
 * Options of the GLM estimators: solver, regularizer, lambda, l1Ratio, fitIntercept, maxIter, tol,
 * runtime, onIteration, and the solvers' own knobs.
 */
export interface EstimatorOptions {
  /** Default: lbfgs for smooth penalties, proximal_grad with an L1 part. */
  solver?: SolverName;
  regularizer?: RegularizerName;
  /** Penalty weight (1/C of scikit-learn). Default 1 (0 with regularizer 'none'). */
  lambda?: number;
  /** Elastic net's L1 share, in [0, 1] (default 0.5). */
  l1Ratio?: number;
  fitIntercept?: boolean;
  maxIter?: number;
  /**
   * The fit has converged when its optimality residual (`optimality`: the largest entry of the
   * gradient, or with an L1 part the proximal-gradient (KKT) residual, scaled to the data so
   * it reads the same whatever the units of X and y) is at most tol. Default 1e-6.
   */
  tol?: number;
  /** Rows per chunk when X is given as JS data (default: rows split in 2 x threads chunks). */
  chunkRows?: number;
  runtime?: Runtime;
  /** Called after every iteration. */
  onIteration?: (info: { iteration: number; objective: number }) => void;
  /** FISTA acceleration with adaptive restart for proximal_grad (default true). */
  fista?: boolean;
  /** ADMM's starting penalty parameter (default: the data's typical curvature per chunk). */
  rho?: number;
  /** @deprecated Ignored: ADMM stops on `tol` like every solver. */
  abstol?: number;
  /** @deprecated Ignored: ADMM stops on `tol` like every solver. */
  reltol?: number;
  /** Aborts a fit: it stops within one iteration and rejects with the signal's reason. Never saved. */
  signal?: AbortSignal;
}

/** Options of one fit() call, beside the estimator's parameters. */
export interface FitOptions {
  /** Coefficients, then the intercept (when fitted), to start from (a warm start): finite, one per feature (+ 1). */
  initialCoef?: Float64Array;
  /** Aborts this fit: it stops within one iteration and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Receives the fit's warnings (did not converge, no finite optimum, ...) instead of
   * process.emitWarning. The CLI words them with its own option names.
   */
  onWarning?: (warning: FitWarning) => void;
}

/** A warning about a fit: a code, a message, and the figures behind it. */
export interface FitWarning {
  code: "WEFT_NOT_CONVERGED" | "WEFT_NO_FINITE_OPTIMUM" | "WEFT_SATURATED";
  message: string;
  /** What was measured: the optimality residual and its tolerance, the iterations run. */
  optimality: number;
  tol: number;
  iterations: number;
  solver: SolverName;
}

/** Every option an estimator knows: any other name is refused (a misspelt one would be ignored). */
const ESTIMATOR_OPTIONS = [
  "solver", "regularizer", "lambda", "l1Ratio", "fitIntercept", "maxIter", "tol", "chunkRows", "runtime", "onIteration", "fista", "rho", "abstol", "reltol", "signal",
] as const satisfies readonly (keyof EstimatorOptions)[];

/** Options of fit() itself. */
const FIT_OPTIONS = ["initialCoef", "signal", "onWarning"] as const satisfies readonly (keyof FitOptions)[];

/** Options that are not model parameters: never in getParams(), toJSON() or clones. */
const NOT_PARAMETERS = ["runtime", "onIteration", "signal"] as const;

/** The options without the ones that are not parameters. */
function parametersOf(options: EstimatorOptions): Omit<EstimatorOptions, (typeof NOT_PARAMETERS)[number]> {
  const out: Record<string, unknown> = { ...options };
  for (const k of NOT_PARAMETERS) delete out[k];
  return out;
}

/** What fit() and predict() accept: a weft array, rows of numbers, or a flat array and its shape. */
export type MatrixLike = ChunkedArray | readonly (readonly number[])[] | { data: Float64Array | readonly number[]; shape: [number, number] };
/** A vector a GLM accepts: a 1-D ChunkedArray, a number[] or a Float64Array. */
export type VectorLike = ChunkedArray | readonly number[] | Float64Array;

/**
 * A warm start along a regularization path: the coefficients (then the intercept) a neighbouring
 * fit ended at, its curvature pairs (in the coefficients' own coordinates), and the L2 weight
 * they belong to. @internal
 */
export interface PathStart {
  coef: Float64Array;
  pairs?: CurvaturePairs;
  /** The L2 weight (lambda times its L2 share) of the fit the pairs come from. */
  l2: number;
  /** Whether that fit's penalty was smooth (the pairs are then the full objective's). */
  smooth: boolean;
}

/**
 * Curvature pairs of a fit with L2 weight l2, made valid for one with l2 + delta: the data part
 * of the Hessian is the same, the penalty's adds delta to the coefficients' (not the intercept's)
 * diagonal, so y gains delta * s on the first p entries.
 */
function shiftPairs(pairs: CurvaturePairs, delta: number, p: number): CurvaturePairs {
  return {
    s: pairs.s,
    y: pairs.y.map((y, k) => Float64Array.from(y, (v, j) => (j < p ? v + delta * pairs.s[k]![j]! : v))),
  };
}

/** Curvature pairs in the coefficients' own coordinates, seen in `coords` (steps by J^-1, gradient changes by J^T). */
function toCoordinates(pairs: CurvaturePairs, coords: Coordinates): CurvaturePairs {
  return { s: pairs.s.map((s) => coords.toScaled(s)), y: pairs.y.map((y) => coords.gradientToScaled(y)) };
}

/** Curvature pairs in `coords`, seen in the coefficients' own coordinates. */
function fromCoordinates(pairs: CurvaturePairs, coords: Coordinates): CurvaturePairs {
  return { s: pairs.s.map((s) => coords.toOriginal(s)), y: pairs.y.map((y) => coords.gradientToOriginal(y)) };
}

/** A saved model: what toJSON() writes and fromJSON() reads. */
export interface ModelJSON {
  kind: "LogisticRegression" | "LinearRegression" | "PoissonRegression";
  family: FamilyName;
  coef: number[];
  intercept: number;
  options: Omit<EstimatorOptions, "runtime" | "onIteration" | "signal">;
  nIter: number;
  objective: number;
  converged: boolean;
  /** The optimality residual at the saved coefficients (what `converged` was judged on). */
  optimality?: number;
}

/** The index of the first entry that is not a number (NaN and infinities are numbers: checked later, by row), else -1. */
function firstNonNumber(values: ArrayLike<unknown>): number {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== "number") return i;
  return -1;
}

/** Rows of numbers, a flat array and its shape, or a ChunkedArray, as a ChunkedArray; `where` names the caller (fit, predict). */
function toMatrix(X: MatrixLike, chunkRows: number | undefined, threads: number, where: string): ChunkedArray {
  if (X instanceof ChunkedArray) return X;
  let data: Float64Array, rows: number, cols: number;
  if (Array.isArray(X)) {
    rows = X.length;
    // a flat list of numbers is not rows: say so, rather than "a row of undefined numbers"
    if (rows > 0 && !Array.isArray(X[0])) throw new ArgumentError("X", "an array of rows (arrays of numbers), a ChunkedArray, or { data, shape: [rows, cols] }", `X[0] = ${describe(X[0])}`, where);
    cols = rows > 0 ? (X[0] as readonly number[]).length : 0;
    data = new Float64Array(rows * cols);
    (X as readonly (readonly number[])[]).forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== cols) throw new ArgumentError(`X[${i}]`, `a row of ${cols} numbers like X[0]`, r, where);
      // a string would become a number (or NaN) in silence
      const j = firstNonNumber(r);
      if (j >= 0) throw new ArgumentError(`X[${i}]`, "a row of numbers", `${describe(r[j])} at column ${j}`, where);
      data.set(r, i * cols);
    });
  } else if (typeof X === "object" && X !== null && "data" in X && "shape" in X) {
    const shape: unknown = X.shape;
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ArgumentError("X.shape", "[rows, cols]: two whole numbers >= 0", shape, where);
    }
    [rows, cols] = shape as [number, number];
    const given: unknown = X.data;
    if (given instanceof Float64Array) data = given;
    // not Float64Array.from on anything: a string of digits would be read digit by digit, "1234" as 1, 2, 3, 4
    else if (!Array.isArray(given)) throw new ArgumentError("X.data", "a Float64Array or an array of numbers", given, where);
    else {
      const i = firstNonNumber(given);
      if (i >= 0) throw new ArgumentError("X.data", "a Float64Array or an array of numbers", `${describe(given[i])} at index ${i}`, where);
      data = Float64Array.from(given as number[]);
    }
    if (data.length !== rows * cols) throw new ArgumentError("X", `data of shape [${rows}, ${cols}] (${rows * cols} values)`, `${data.length} values`, where);
  } else {
    throw new ArgumentError("X", "a ChunkedArray, an array of rows, or { data, shape: [rows, cols] }", X, where);
  }
  if (cols === 0) throw new ArgumentError("X", "at least one column (feature)", "0 columns", where);
  if (rows === 0) throw new ArgumentError("X", "at least one row", "0 rows", where);
  const chunk = chunkRows ?? Math.max(1, Math.ceil(rows / (2 * threads)));
  return fromTypedArray(data, { shape: [rows, cols], chunks: [chunk, cols] });
}

function toVector(y: VectorLike, name: string): ChunkedArray {
  if (y instanceof ChunkedArray) return y;
  if (y instanceof Float64Array) return fromTypedArray(y);
  if (Array.isArray(y)) {
    const i = firstNonNumber(y);
    if (i >= 0) throw new ArgumentError(name, "an array of numbers", `${describe(y[i])} at index ${i}`, "fit");
    return fromTypedArray(y as number[]);
  }
  throw new ArgumentError(name, "a ChunkedArray, an array of numbers or a Float64Array", y, "fit");
}

abstract class GlmEstimator {
  protected abstract readonly familyName: FamilyName;
  protected abstract readonly kind: ModelJSON["kind"];
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

  constructor(options: EstimatorOptions = {}) {
    checkOptions(options, "estimator", ESTIMATOR_OPTIONS);
    const regularizer = options.regularizer ?? "l2";
    if (!(REGULARIZERS as readonly string[]).includes(regularizer)) {
      throw new ArgumentError("regularizer", `one of ${REGULARIZERS.join(", ")}`, regularizer, "estimator");
    }
    const lambda = options.lambda ?? (regularizer === "none" ? 0 : 1);
    const solver = options.solver ?? (regularizer === "l1" || regularizer === "elastic_net" ? "proximal_grad" : "lbfgs");
    if (!(SOLVERS as readonly string[]).includes(solver)) throw new ArgumentError("solver", `one of ${SOLVERS.join(", ")}`, solver, "estimator");
    // construct the penalty now: bad lambda / l1Ratio fail at construction
    const reg = new Regularizer(regularizer, lambda, options.l1Ratio ?? 0.5);
    if (!reg.smooth && (solver === "lbfgs" || solver === "newton" || solver === "gradient_descent")) {
      throw new ArgumentError("solver", `proximal_grad or admm for the ${regularizer} penalty (${solver} needs a smooth objective)`, solver, "estimator");
    }
    for (const [name, v] of [["maxIter", options.maxIter], ["chunkRows", options.chunkRows]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new ArgumentError(name, "a whole number >= 1", v, "estimator");
    }
    for (const [name, v] of [["tol", options.tol], ["rho", options.rho], ["abstol", options.abstol], ["reltol", options.reltol]] as const) {
      if (v !== undefined && (typeof v !== "number" || !(v > 0) || !Number.isFinite(v))) throw new ArgumentError(name, "a finite number > 0", v, "estimator");
    }
    for (const [name, v] of [["fitIntercept", options.fitIntercept], ["fista", options.fista]] as const) {
      if (v !== undefined && typeof v !== "boolean") throw new ArgumentError(name, "true or false", v, "estimator");
    }
    if (options.onIteration !== undefined && typeof options.onIteration !== "function") throw new ArgumentError("onIteration", "a function", options.onIteration, "estimator");
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ArgumentError("signal", "an AbortSignal", options.signal, "estimator");
    // a wrong runtime would otherwise fail deep in the fit, blaming the chunks
    if (options.runtime !== undefined && !(options.runtime instanceof Runtime)) throw new ArgumentError("runtime", "a Runtime (from Runtime.start)", options.runtime, "estimator");
    this.options = { ...options, solver, regularizer, lambda };
  }

  /**
   * Fits the model to X (rows x features) and y (one value per row). `initialCoef` (the
   * coefficients, then the intercept) starts the solver there: a warm start along a
   * regularization path.
   */
  async fit(X: MatrixLike, y: VectorLike, options: FitOptions = {}): Promise<this> {
    checkOptions(options, `${this.kind}.fit`, FIT_OPTIONS);
    checkSignal(options.signal, "signal", `${this.kind}.fit`);
    checkFunction(options.onWarning, "onWarning", `${this.kind}.fit`);
    const initialCoef = options.initialCoef === undefined ? undefined : finiteValues(options.initialCoef, "initialCoef", `${this.kind}.fit`);
    const signal = options.signal ?? this.options.signal;
    if (signal?.aborted) throw signal.reason;
    const problem = await this.createProblem(X, y);
    try {
      // known only now: the coefficients (then the intercept, if fitted) a warm start must give
      if (initialCoef && initialCoef.length !== problem.n) {
        const what = problem.intercept ? `${problem.p} coefficients then the intercept` : `${problem.p} coefficients`;
        throw new ArgumentError("initialCoef", `${problem.n} values (${what})`, `${initialCoef.length} values`, `${this.kind}.fit`);
      }
      return await this.fitProblem(problem, { ...options, initialCoef });
    } finally {
      problem.release();
    }
  }

  /**
   * The GLM problem this estimator fits on X and y (persisted, checked, plans compiled). @internal
   * Grid search makes one per fold and shares it among the candidates (fitProblem).
   */
  async createProblem(X: MatrixLike, y: VectorLike): Promise<GlmProblem> {
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    const Xa = toMatrix(X, this.options.chunkRows, runtime.threads, "fit");
    const ya = toVector(y, "y");
    return GlmProblem.create(runtime, Xa, ya, this.familyName, this.options.fitIntercept ?? true);
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
  async fitProblem(problem: GlmProblem, options: FitOptions & { path?: PathStart } = {}): Promise<this> {
    const intercept = problem.intercept, p = problem.p;
    const reg = new Regularizer(this.options.regularizer!, this.options.lambda!, this.options.l1Ratio ?? 0.5);
    // the solvers work in scaled coordinates (glm/scaling.ts): the user's problem, well conditioned
    const stats = problem.statistics();
    const coords = Coordinates.forProblem(stats, problem.family, intercept, reg.l2);
    const objective = new Penalized(new ScaledObjective(problem, coords), reg.weights(p, coords.scale), coords.optimalityScale);
    const start = new Float64Array(problem.n);
    const initial = options.path?.coef ?? options.initialCoef;
    if (initial) start.set(initial.subarray(0, problem.n));
    const signal = options.signal ?? this.options.signal;
    // in these coordinates every direction's curvature is about rows x the family's typical weight
    const curvature = problem.rows * typicalWeight(problem.family, stats, intercept);
    const common = { maxIter: this.options.maxIter, tol: this.options.tol, onIteration: this.options.onIteration, signal, curvature };
    const path = options.path;
    const pairs = path?.pairs && reg.smooth && path.smooth ? toCoordinates(shiftPairs(path.pairs, reg.l2 - path.l2, p), coords) : undefined;
    const gamma0 = coords.toScaled(start);
    let result: SolverResult;
    switch (this.options.solver!) {
      case "lbfgs": result = await lbfgs(objective, gamma0, { ...common, warmStart: initial !== undefined, initialPairs: pairs }); break;
      case "newton": result = await newton(objective, gamma0, common); break;
      case "gradient_descent": result = await gradientDescent(objective, gamma0, common); break;
      case "proximal_grad": result = await proximalGrad(objective, gamma0, { ...common, fista: this.options.fista }); break;
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
    this.lastPath = { coef: beta, pairs: result.pairs ? fromCoordinates(result.pairs, coords) : undefined, l2: reg.l2, smooth: reg.smooth };
    const warn = (code: FitWarning["code"], message: string) => {
      const warning: FitWarning = { code, message, optimality: result.optimality, tol: this.options.tol ?? DEFAULT_TOL, iterations: result.nIter, solver: this.options.solver! };
      if (options.onWarning) options.onWarning(warning);
      else process.emitWarning(message, { code });
    };
    const unpenalized = reg.l1 === 0 && reg.l2 === 0;
    if (problem.family.name === "logistic" && unpenalized) {
      const eta = await problem.linearPredictor(beta);
      const labels = problem.labels();
      let separated = true, saturated = 0;
      for (let i = 0; i < eta.length; i++) {
        if ((2 * labels[i]! - 1) * eta[i]! <= 0) separated = false;
        if (Math.abs(eta[i]!) > 36) saturated += 1; // a probability within 2e-16 of 0 or 1
      }
      if (separated) {
        this.converged = false;
        warn("WEFT_NO_FINITE_OPTIMUM", `${this.kind}: the classes are separable by a hyperplane, so without a penalty the loss has no minimum: it falls toward 0 as the coefficients grow without bound, and these (largest |coef| ${Math.max(...Array.from(this.coef, Math.abs)).toPrecision(3)}) only grow with more iterations. Add a penalty (regularizer 'l2', lambda > 0).`);
        return this;
      }
      if (saturated > 0) {
        warn("WEFT_SATURATED", `${this.kind}: ${saturated} fitted probabilities are numerically 0 or 1: the classes may be (nearly) separable, where without a penalty no finite optimum exists and the coefficients grow with every iteration; they are large and poorly determined. Add a penalty (regularizer 'l2', lambda > 0).`);
      }
    }
    if (!this.converged) {
      warn("WEFT_NOT_CONVERGED", `${this.kind} (${this.options.solver}) did not converge in ${result.nIter} iterations: ${this.optimalityMeasure} is ${result.optimality.toPrecision(3)}, above tol ${formatSmall(this.options.tol ?? DEFAULT_TOL)}. Try a larger maxIter, standardized features (preprocessing.StandardScaler), or another solver${this.options.solver === "lbfgs" || this.options.solver === "newton" ? "" : reg.smooth ? " (lbfgs or newton)" : ""}.`);
    }
    return this;
  }

  private lastPath: PathStart | undefined;

  /** Where this fit ended, for a neighbouring fit's `path` warm start. @internal */
  get pathStart(): PathStart | undefined {
    return this.lastPath;
  }

  /** The tunable parameters (what setParams and grid search address). */
  getParams(): Record<string, unknown> {
    const params = parametersOf(this.options);
    return { solver: undefined, regularizer: undefined, lambda: undefined, l1Ratio: undefined, fitIntercept: undefined, maxIter: undefined, tol: undefined, ...params };
  }

  /** Sets parameters by name (validated as the constructor does); unknown names fail, naming the valid ones. */
  setParams(params: Record<string, unknown>): this {
    if (params === null || typeof params !== "object" || Array.isArray(params)) throw new ArgumentError("params", "an object of parameter names and values", params, `${this.kind}.setParams`);
    const valid = Object.keys(this.getParams());
    for (const name of Object.keys(params)) {
      if (!valid.includes(name)) throw new ArgumentError("params", `names among ${valid.join(", ")}`, name, `${this.kind}.setParams`);
    }
    const Ctor = this.constructor as new (o: EstimatorOptions) => GlmEstimator;
    const solverChanges = "regularizer" in params && !("solver" in params);
    const next = new Ctor({ ...this.options, ...(solverChanges ? { solver: undefined } : {}), ...params } as EstimatorOptions);
    this.options = next.options;
    return this;
  }

  /** An unfitted copy with the same parameters. */
  clone(): this {
    const Ctor = this.constructor as new (o: EstimatorOptions) => this;
    return new Ctor({ ...this.options });
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
    const Xa = toMatrix(X, this.options.chunkRows, runtime.threads, "predict");
    if (Xa.ndim !== 2 || Xa.shape[1] !== this.coef.length) {
      throw new ArgumentError("X", `a matrix with ${this.coef.length} columns (the features fitted)`, `shape [${Xa.shape.join(", ")}]`, "predict");
    }
    const eta = (await Xa.matmul(fromTypedArray(this.coef)).add(this.intercept).compute({ runtime })) as Float64Array;
    // a NaN or infinite feature makes its row's prediction meaningless: say which row
    const bad = eta.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ArgumentError("X", "finite values", `a non-finite value in row ${bad} (its linear predictor is ${eta[bad]})`, "predict");
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

  abstract predict(X: MatrixLike): Promise<Float64Array>;
  abstract score(X: MatrixLike, y: VectorLike): Promise<number>;

  toJSON(): ModelJSON {
    if (!this.coef) throw new WeftError(`${this.kind} is not fitted: nothing to save`);
    return {
      kind: this.kind, family: this.familyName, coef: Array.from(this.coef), intercept: this.intercept, options: parametersOf(this.options),
      nIter: this.nIter, objective: this.objective, converged: this.converged, optimality: this.optimality,
    };
  }

  protected load(json: ModelJSON): this {
    const saved = `a saved ${this.kind} (toJSON())`;
    if (json === null || typeof json !== "object" || json.kind !== this.kind || !Array.isArray(json.coef) || typeof json.intercept !== "number" || !json.coef.every((c) => typeof c === "number")) {
      throw new ArgumentError("json", saved, json, "fromJSON");
    }
    // a model that predicts NaN (or nothing) is no model: refuse it here, not at predict
    if (json.coef.length === 0) throw new ArgumentError("json", `${saved} with at least one coefficient`, "no coefficients", "fromJSON");
    const bad = firstNonFinite(json.coef);
    if (bad >= 0) throw new ArgumentError("json", `${saved} with finite coefficients`, `coef[${bad}] = ${json.coef[bad]}`, "fromJSON");
    if (!Number.isFinite(json.intercept)) throw new ArgumentError("json", `${saved} with a finite intercept`, `intercept ${json.intercept}`, "fromJSON");
    // the fit's record is optional; JSON writes NaN as null
    const recorded = (name: string, value: unknown, ok: boolean) => {
      if (value !== undefined && !ok) throw new ArgumentError("json", `${saved}: ${name} as toJSON() writes it`, `${name} ${describe(value)}`, "fromJSON");
    };
    recorded("nIter", json.nIter, Number.isSafeInteger(json.nIter) && json.nIter >= 0);
    recorded("objective", json.objective, json.objective === null || typeof json.objective === "number");
    recorded("converged", json.converged, typeof json.converged === "boolean");
    recorded("optimality", json.optimality, json.optimality === null || typeof json.optimality === "number");
    this.coef = Float64Array.from(json.coef);
    this.intercept = json.intercept;
    this.nIter = json.nIter ?? 0;
    this.objective = json.objective ?? NaN;
    this.converged = json.converged ?? false;
    this.optimality = json.optimality ?? NaN;
    return this;
  }
}

/** The options of a saved model, or nothing for what is not one (load() then says what was expected). */
function savedOptions(json: ModelJSON): EstimatorOptions {
  return json !== null && typeof json === "object" && json.options !== null && typeof json.options === "object" ? json.options : {};
}

/**
 * The values of y for score(): one per row of X, each a valid label for `familyName` (0/1 for
 * logistic, a count >= 0 for Poisson, finite for all), as fit() asks of y.
 */
async function valuesOf(y: VectorLike, runtime: Runtime | undefined, rows: number, familyName: FamilyName): Promise<Float64Array> {
  let values: Float64Array;
  if (y instanceof ChunkedArray) {
    if (y.ndim !== 1) throw new ArgumentError("y", `a 1-D array of ${rows} values (one per row of X)`, `shape [${y.shape.join(", ")}]`, "score");
    values = (await y.astype("float64").compute({ runtime: runtime ?? (await getDefaultRuntime()) })) as Float64Array;
  } else if (y instanceof Float64Array || Array.isArray(y)) {
    const i = firstNonNumber(y);
    if (i >= 0) throw new ArgumentError("y", "an array of numbers", `${describe(y[i])} at index ${i}`, "score");
    values = Float64Array.from(y);
  } else {
    throw new ArgumentError("y", "a ChunkedArray, an array of numbers or a Float64Array", y, "score");
  }
  if (values.length !== rows) throw new ArgumentError("y", `${rows} values (one per row of X)`, `${values.length} values`, "score");
  const f = familyOf(familyName);
  for (let i = 0; i < values.length; i++) {
    const why = Number.isFinite(values[i]!) ? f.checkLabel(values[i]!) : "a finite number";
    if (why) throw new ArgumentError("y", `${why} for the ${f.name} family`, `${values[i]} at row ${i}`, "score");
  }
  return values;
}

/** A warm start's values: a Float64Array of finite numbers (a NaN would be blamed on the data). */
function finiteValues(values: unknown, name: string, where: string): Float64Array {
  if (!(values instanceof Float64Array)) throw new ArgumentError(name, "a Float64Array", values, where);
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new ArgumentError(name, "finite numbers", `${values[bad]} at index ${bad}`, where);
  return values;
}

/**
 * At least two rows for a fraction explained: with one, the data's own spread is nothing to
 * compare to (scikit-learn returns NaN with a warning; weft refuses).
 */
function checkTwoRows(rows: number, what: string): void {
  if (rows < 2) throw new ArgumentError("y", `at least two values (${what} is not defined for one)`, `${rows} value`, "score");
}

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

  /** Accuracy. */
  async score(X: MatrixLike, y: VectorLike): Promise<number> {
    const pred = await this.predict(X);
    const truth = await valuesOf(y, this.options.runtime, pred.length, this.familyName);
    let right = 0;
    pred.forEach((p, i) => (right += p === truth[i] ? 1 : 0));
    return right / Math.max(pred.length, 1);
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
   */
  async score(X: MatrixLike, y: VectorLike): Promise<number> {
    const pred = await this.predict(X);
    const truth = await valuesOf(y, this.options.runtime, pred.length, this.familyName);
    checkTwoRows(truth.length, "R^2");
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    let ssRes = 0, ssTot = 0;
    truth.forEach((t, i) => {
      ssRes += (t - pred[i]!) ** 2;
      ssTot += (t - mean) ** 2;
    });
    return fractionExplained(ssRes, ssTot);
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
   * one row is refused.
   */
  async score(X: MatrixLike, y: VectorLike): Promise<number> {
    const mu = await this.predict(X);
    const truth = await valuesOf(y, this.options.runtime, mu.length, this.familyName);
    checkTwoRows(truth.length, "D^2");
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    const dev = (yv: number, m: number) => 2 * ((yv > 0 ? yv * Math.log(yv / m) : 0) - (yv - m));
    let d = 0, d0 = 0;
    truth.forEach((t, i) => {
      d += dev(t, mu[i]!);
      d0 += dev(t, mean);
    });
    return fractionExplained(d, d0);
  }

  static fromJSON(json: ModelJSON): PoissonRegression {
    return new PoissonRegression(savedOptions(json)).load(json);
  }
}
