/**
 * What every solver shares: its options, its result, the penalized objective built from the
 * smooth loss and the regularizer, and small dense helpers (the unknowns number in the hundreds
 * at most: vectors and the Hessian live in JS arrays, the data in shared memory).
 */
import type { SmoothObjective } from "../problem.js";
import type { Regularizer } from "../regularizers.js";

/** Options every solver takes: most iterations, tolerance, and a callback after each iteration. */
export interface SolverOptions {
  /** Most iterations (default 100 for most solvers). */
  maxIter?: number;
  /** Relative decrease of the objective below which the solve stops (default 1e-8). */
  tol?: number;
  /** Called after every iteration with its number (from 1) and the objective. */
  onIteration?: (info: { iteration: number; objective: number }) => void;
  signal?: AbortSignal;
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
  /** lbfgs: its last curvature pairs (steps s and gradient changes y), oldest first. */
  pairs?: CurvaturePairs;
}

/** Curvature pairs of a quasi-Newton method: steps and the gradient changes along them. */
export interface CurvaturePairs {
  s: Float64Array[];
  y: Float64Array[];
}

/** The penalized objective: value, and the gradient of its smooth part. */
export class Penalized {
  constructor(readonly f: SmoothObjective, readonly reg: Regularizer) {}

  get n(): number {
    return this.f.n;
  }

  get p(): number {
    return this.f.p;
  }

  async value(beta: Float64Array): Promise<number> {
    return (await this.f.loss(beta)) + this.reg.value(beta, this.f.p);
  }

  /** Objective and gradient of loss + the smooth (L2) part of the penalty; `nonsmooth` is the L1 part's value. */
  async valueGrad(beta: Float64Array): Promise<{ value: number; grad: Float64Array; smooth: number }> {
    const { loss, grad } = await this.f.lossGrad(beta);
    this.reg.addGradient(beta, grad, this.f.p);
    let sq = 0;
    for (let j = 0; j < this.f.p; j++) sq += beta[j]! * beta[j]!;
    const smooth = loss + 0.5 * this.reg.l2 * sq;
    return { value: loss + this.reg.value(beta, this.f.p), grad, smooth };
  }

  /** The smooth part alone (loss + L2 part): what proximal methods line-search on. */
  async smoothValue(beta: Float64Array): Promise<number> {
    let sq = 0;
    for (let j = 0; j < this.f.p; j++) sq += beta[j]! * beta[j]!;
    return (await this.f.loss(beta)) + 0.5 * this.reg.l2 * sq;
  }
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

export function norm2(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
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

export const defaults = (options: SolverOptions, maxIter = 100, tol = 1e-8) => ({
  maxIter: options.maxIter ?? maxIter,
  tol: options.tol ?? tol,
});
