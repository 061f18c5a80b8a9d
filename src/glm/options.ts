/**
 * The GLM estimators' options and fit()'s, with their checks: every option known by name (a
 * misspelt one is refused, not ignored), each value checked, and the defaults the penalty implies
 * (a solver for it, lambda 0 without one) filled in.
 */
import { ArgumentError } from "../errors.js";
import { checkRuntime, type VectorLike } from "../base/inputs.js";
import type { Runtime } from "../runtime/runtime.js";
import { checkBoolean, checkFiniteValues, checkFunction, checkInteger, checkOptions, checkSignal } from "../validate.js";
import { Regularizer, REGULARIZERS, type RegularizerName } from "./regularizers.js";

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
  /**
   * One weight per row, finite and >= 0, not all 0 (scikit-learn's sample_weight): the fit
   * minimizes sum_i sampleWeight[i] loss_i + lambda R(coef). A whole number k weighs a row as k
   * copies of it would; 0 leaves it out. A number[], a Float64Array or a 1-D ChunkedArray.
   */
  sampleWeight?: VectorLike;
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

/** Options of an estimator's score(). */
export interface ScoreOptions {
  /**
   * One weight per row, finite and >= 0, not all 0: the score is weighted as scikit-learn's
   * sample_weight weighs it (see src/metrics). A number[], a Float64Array or a 1-D ChunkedArray.
   */
  sampleWeight?: VectorLike;
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
export const ESTIMATOR_OPTIONS = [
  "solver",
  "regularizer",
  "lambda",
  "l1Ratio",
  "fitIntercept",
  "maxIter",
  "tol",
  "chunkRows",
  "runtime",
  "onIteration",
  "fista",
  "rho",
  "abstol",
  "reltol",
  "signal",
] as const satisfies readonly (keyof EstimatorOptions)[];

/** Options of fit() itself. */
const FIT_OPTIONS = ["sampleWeight", "initialCoef", "signal", "onWarning"] as const satisfies readonly (keyof FitOptions)[];

/**
 * An estimator's options, checked whole (errors say `estimator`), with the solver, regularizer
 * and lambda the others imply filled in: l2 by default; lambda 1, or 0 without a penalty; lbfgs
 * for a smooth penalty, proximal_grad with an L1 part.
 */
export function checkEstimatorOptions(options: EstimatorOptions): EstimatorOptions {
  const where = "estimator";
  checkOptions(options, where, ESTIMATOR_OPTIONS);
  const regularizer = options.regularizer ?? "l2";
  if (!(REGULARIZERS as readonly string[]).includes(regularizer)) {
    throw new ArgumentError("regularizer", `one of ${REGULARIZERS.join(", ")}`, regularizer, where);
  }
  const lambda = options.lambda ?? (regularizer === "none" ? 0 : 1);
  const solver = options.solver ?? (regularizer === "l1" || regularizer === "elastic_net" ? "proximal_grad" : "lbfgs");
  if (!(SOLVERS as readonly string[]).includes(solver)) throw new ArgumentError("solver", `one of ${SOLVERS.join(", ")}`, solver, where);
  // construct the penalty now: bad lambda / l1Ratio fail at construction
  const reg = new Regularizer(regularizer, lambda, options.l1Ratio ?? 0.5);
  if (!reg.smooth && (solver === "lbfgs" || solver === "newton" || solver === "gradient_descent")) {
    throw new ArgumentError(
      "solver",
      `proximal_grad or admm for the ${regularizer} penalty (${solver} needs a smooth objective)`,
      solver,
      where,
    );
  }
  checkInteger(options.maxIter, "maxIter", where, 1);
  checkInteger(options.chunkRows, "chunkRows", where, 1);
  for (const [name, v] of [
    ["tol", options.tol],
    ["rho", options.rho],
    ["abstol", options.abstol],
    ["reltol", options.reltol],
  ] as const) {
    if (v !== undefined && (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)))
      throw new ArgumentError(name, "a finite number > 0", v, where);
  }
  checkBoolean(options.fitIntercept, "fitIntercept", where);
  checkBoolean(options.fista, "fista", where);
  checkFunction(options.onIteration, "onIteration", where);
  checkSignal(options.signal, "signal", where);
  checkRuntime(options.runtime, where);
  return { ...options, solver, regularizer, lambda };
}

/** fit()'s options, checked whole; `initialCoef`, when given, a Float64Array of finite numbers (a NaN would be blamed on the data). */
export function checkFitOptions(options: FitOptions, where: string): FitOptions {
  checkOptions(options, where, FIT_OPTIONS);
  checkSignal(options.signal, "signal", where);
  checkFunction(options.onWarning, "onWarning", where);
  const initialCoef: unknown = options.initialCoef;
  if (initialCoef !== undefined) {
    if (!(initialCoef instanceof Float64Array)) throw new ArgumentError("initialCoef", "a Float64Array", initialCoef, where);
    checkFiniteValues(initialCoef, "initialCoef", where);
  }
  return options;
}
