/**
 * What every solver shares: its options, its result, the penalized objective built from the
 * smooth loss and the regularizer, and small dense helpers (the unknowns number in the hundreds
 * at most: vectors and the Hessian live in JS arrays, the data in shared memory).
 */
import { WeftError } from "../../errors.js";
import type { SmoothObjective } from "../objective.js";
import { Penalty, type Regularizer } from "../regularizers.js";

/**
 * The default tolerance of every solver's stopping rule: the largest entry of the scaled
 * optimality residual (Penalized.optimality; for the estimators, a correlation-like number
 * between the residuals and each column). At 1e-6 every fit of the conformance suite that
 * converges is within 1e-6 of its optimum, relatively, most within 1e-9
 * (test/glm-conformance.test.ts); 1e-8 cost lbfgs hundreds of iterations on collinear columns
 * where the objective had long been exact to 1e-11.
 */
export const DEFAULT_TOL = 1e-6;

/** Options every solver takes: most iterations, tolerance, and a callback after each iteration. */
export interface SolverOptions {
  /** Most iterations (each solver has its own default). */
  maxIter?: number;
  /**
   * The solve stops, converged, when the optimality residual at the current coefficients
   * (Penalized.optimality: the gradient for smooth penalties, the proximal-gradient (KKT)
   * residual with an L1 part) is at most tol (default DEFAULT_TOL).
   */
  tol?: number;
  /** Called after every iteration with its number (from 1) and the objective. */
  onIteration?: (info: { iteration: number; objective: number }) => void;
  signal?: AbortSignal;
  /**
   * The objective's typical curvature (second derivative) along any direction, when known: the
   * first step is then 1 / curvature instead of a guess from the gradient's size. The
   * estimators know it: in their scaled coordinates every direction's curvature is about rows
   * times the family's typical weight.
   */
  curvature?: number;
}

/**
 * What a solver returns: coefficients, iterations, whether it converged, the final objective and
 * the objective after every iteration.
 */
export interface SolverResult {
  /** The coefficients, then the intercept when fitted. */
  beta: Float64Array;
  nIter: number;
  converged: boolean;
  /** The objective at beta: sum of losses + lambda * R(coefficients). */
  objective: number;
  /** The objective after every iteration (history[0] is at the start). */
  history: number[];
  /** The optimality residual at beta (Penalized.optimality), what `converged` was judged on. */
  optimality: number;
  /** ADMM: its primal and dual residuals at the end (Boyd et al.'s r and s). */
  residuals?: { primal: number; dual: number };
  /** lbfgs: its last curvature pairs (steps s and gradient changes y), oldest first. */
  pairs?: CurvaturePairs;
}

/** Curvature pairs of a quasi-Newton method: steps and the gradient changes along them. */
export interface CurvaturePairs {
  s: Float64Array[];
  y: Float64Array[];
}

/**
 * The penalized objective: value, the gradient of its smooth part, and the optimality residual
 * solvers stop on. `reg` is a Regularizer (its penalty on beta) or per-coefficient weights (a
 * penalty seen in scaled coordinates); `optimalityScale` multiplies each entry of the residual
 * (all ones when not given: the residual as it is).
 */
export class Penalized {
  readonly reg: Penalty;
  readonly optimalityScale: Float64Array;

  constructor(
    readonly f: SmoothObjective,
    reg: Regularizer | Penalty,
    optimalityScale?: ArrayLike<number>,
  ) {
    this.reg = reg instanceof Penalty ? reg : reg.weights(f.p);
    this.optimalityScale = optimalityScale ? Float64Array.from(optimalityScale) : new Float64Array(f.n).fill(1);
  }

  get n(): number {
    return this.f.n;
  }

  get p(): number {
    return this.f.p;
  }

  async value(beta: Float64Array): Promise<number> {
    return (await this.f.loss(beta)) + this.reg.value(beta);
  }

  /**
   * Objective and gradient of loss + the smooth (L2) part of the penalty; `smooth` is the value
   * of that smooth part alone.
   */
  async valueGrad(beta: Float64Array): Promise<{ value: number; grad: Float64Array; smooth: number }> {
    const { loss, grad } = await this.f.lossGrad(beta);
    this.reg.addGradient(beta, grad);
    const smooth = loss + this.reg.smoothValue(beta);
    return { value: smooth + this.reg.l1Value(beta), grad, smooth };
  }

  /** The smooth part alone (loss + L2 part): what proximal methods line-search on. */
  async smoothValue(beta: Float64Array): Promise<number> {
    return (await this.f.loss(beta)) + this.reg.smoothValue(beta);
  }

  /**
   * How far beta is from optimal: the largest entry of the optimality residual (the smallest
   * subgradient; see Penalty.residual) times optimalityScale, given `grad`, the gradient of the
   * smooth part at beta. 0 exactly at the optimum.
   */
  optimality(beta: ArrayLike<number>, grad: ArrayLike<number>): number {
    const r = this.reg.residual(beta, grad);
    let m = 0;
    for (let j = 0; j < r.length; j++) {
      const v = Math.abs(r[j]! * this.optimalityScale[j]!);
      if (!(v <= m)) m = v; // NaN propagates
    }
    return m;
  }
}

/** The error of a solve whose iterates stopped being finite numbers (overflow, or data beyond range). */
export class NonFiniteError extends WeftError {
  constructor(
    readonly solver: string,
    readonly iteration: number,
    what: string,
  ) {
    super(
      `${solver}: ${what} is not a finite number at iteration ${iteration}; the data may be badly scaled (values beyond about 1e150 overflow) or the problem may have no finite optimum`,
    );
  }
}

/** Throws NonFiniteError unless value and every entry of beta are finite. */
export function checkFinite(solver: string, iteration: number, value: number, beta: ArrayLike<number>): void {
  if (!Number.isFinite(value)) throw new NonFiniteError(solver, iteration, "the objective");
  for (let j = 0; j < beta.length; j++) if (!Number.isFinite(beta[j]!)) throw new NonFiniteError(solver, iteration, `coefficient ${j}`);
}

/** A tolerance or a residual as people write it: 1e-6, not 0.000001. */
export function formatSmall(x: number): string {
  return x !== 0 && Number.isFinite(x) && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) ? x.toExponential() : String(x);
}

/**
 * A solve's start: the objective, the smooth part's gradient and value at beta (all checked
 * finite), the optimality residual there, and whether that already meets tol.
 */
export async function startAt(
  solver: string,
  objective: Penalized,
  beta: Float64Array,
  tol: number,
): Promise<{ value: number; grad: Float64Array; smooth: number; optimality: number; converged: boolean }> {
  const at = await objective.valueGrad(beta);
  checkFinite(solver, 0, at.value, at.grad);
  const optimality = objective.optimality(beta, at.grad);
  return { ...at, optimality, converged: optimality <= tol };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function normInf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Relative decrease |a - b| / max(|a|, |b|, 1), scipy's measure. */
export function relativeDecrease(before: number, after: number): number {
  return (before - after) / Math.max(Math.abs(before), Math.abs(after), 1);
}

/**
 * Solves the symmetric positive definite system A x = b by Cholesky (A is n x n, row-major, not
 * modified); returns undefined when A is not positive definite.
 */
export function choleskySolve(A: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array | undefined {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return undefined;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

export const defaults = (options: SolverOptions, maxIter = 100, tol = DEFAULT_TOL) => ({
  maxIter: options.maxIter ?? maxIter,
  tol: options.tol ?? tol,
});
