/**
 * Penalties on the coefficients (never the intercept), scaled by lambda in the objective
 * sum_i loss_i + lambda * R(beta):
 *
 *   none        R = 0
 *   l2          R = ||beta||^2 / 2
 *   l1          R = ||beta||_1
 *   elastic_net R = a ||beta||_1 + (1 - a) ||beta||^2 / 2   (a = l1Ratio)
 *
 * Each gives its value, the gradient of its smooth part, and its exact proximal operator
 * prox_{t lambda R}(v) = argmin_x lambda R(x) + ||x - v||^2 / (2 t). (dask-glm's elastic-net
 * prox returns v unchanged; this one solves the problem.)
 */
import { ArgumentError } from "../errors.js";

export const REGULARIZERS = ["none", "l1", "l2", "elastic_net"] as const;
/** A penalty: l1, l2, elastic_net or none. */
export type RegularizerName = (typeof REGULARIZERS)[number];

export class Regularizer {
  /** Weight of the L1 part and of the L2 part (already multiplied by lambda). */
  readonly l1: number;
  readonly l2: number;

  constructor(
    readonly name: RegularizerName,
    readonly lambda: number,
    readonly l1Ratio = 0.5,
  ) {
    if (!(REGULARIZERS as readonly string[]).includes(name)) {
      throw new ArgumentError("regularizer", `one of ${REGULARIZERS.join(", ")}`, name, "glm");
    }
    if (typeof lambda !== "number" || !Number.isFinite(lambda) || lambda < 0) {
      throw new ArgumentError("lambda", "a finite number >= 0", lambda, "glm");
    }
    if (typeof l1Ratio !== "number" || !(l1Ratio >= 0 && l1Ratio <= 1)) {
      throw new ArgumentError("l1Ratio", "a number in [0, 1]", l1Ratio, "glm");
    }
    const a = name === "l1" ? 1 : name === "l2" ? 0 : name === "elastic_net" ? l1Ratio : 0;
    this.l1 = name === "none" ? 0 : lambda * a;
    this.l2 = name === "none" ? 0 : lambda * (1 - a);
  }

  /** Whether the penalty is smooth (no L1 part): gradient methods apply directly. */
  get smooth(): boolean {
    return this.l1 === 0;
  }

  /**
   * The penalty on p coefficients as per-coefficient weights: on beta itself (no `scale`), or in
   * scaled coordinates gamma_j = scale_j * beta_j, where lambda R(beta) = sum_j
   * l1_j |gamma_j| + l2_j gamma_j^2 / 2 with l1_j = l1 / scale_j and l2_j = l2 / scale_j^2: the
   * same penalty on the user's coefficients, seen from the coordinates a solver works in.
   */
  weights(p: number, scale?: ArrayLike<number>): Penalty {
    const l1 = new Float64Array(p),
      l2 = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      const d = scale ? scale[j]! : 1;
      l1[j] = this.l1 / d;
      l2[j] = this.l2 / (d * d);
    }
    return new Penalty(l1, l2);
  }
}

/**
 * A penalty with a weight per coefficient for each part: sum_j l1_j |b_j| + l2_j b_j^2 / 2 over
 * the first p entries (the intercept, entry p, is never penalized). What solvers see: a
 * Regularizer's penalty, possibly in scaled coordinates (Regularizer.weights).
 */
export class Penalty {
  readonly p: number;
  /** Whether the penalty is smooth (no L1 part): gradient methods apply directly. */
  readonly smooth: boolean;

  constructor(
    readonly l1: Float64Array,
    readonly l2: Float64Array,
  ) {
    this.p = l1.length;
    this.smooth = l1.every((w) => w === 0);
  }

  /** The whole penalty at beta. */
  value(beta: ArrayLike<number>): number {
    return this.l1Value(beta) + this.smoothValue(beta);
  }

  /** The L1 part at beta. */
  l1Value(beta: ArrayLike<number>): number {
    let s = 0;
    for (let j = 0; j < this.p; j++) s += this.l1[j]! * Math.abs(beta[j]!);
    return s;
  }

  /** The L2 part at beta. */
  smoothValue(beta: ArrayLike<number>): number {
    let s = 0;
    for (let j = 0; j < this.p; j++) s += this.l2[j]! * beta[j]! * beta[j]!;
    return 0.5 * s;
  }

  /** Adds the gradient of the L2 part to grad. */
  addGradient(beta: ArrayLike<number>, grad: Float64Array): void {
    for (let j = 0; j < this.p; j++) grad[j] = grad[j]! + this.l2[j]! * beta[j]!;
  }

  /** Adds the Hessian of the L2 part to the n x n row-major H. */
  addHessian(H: Float64Array, n: number): void {
    for (let j = 0; j < this.p; j++) H[j * n + j] = H[j * n + j]! + this.l2[j]!;
  }

  /** prox of t * (the whole penalty) applied to v in place (the intercept untouched). */
  prox(v: Float64Array, t: number): void {
    for (let j = 0; j < this.p; j++) v[j] = softThreshold(v[j]!, t * this.l1[j]!) / (1 + t * this.l2[j]!);
  }

  /** prox of t * the L1 part only (for solvers that put the L2 part in the smooth objective). */
  proxL1(v: Float64Array, t: number): void {
    for (let j = 0; j < this.p; j++) v[j] = softThreshold(v[j]!, t * this.l1[j]!);
  }

  /**
   * The optimality residual per entry: the smallest subgradient of (smooth part + L1 part) at
   * beta, given `grad`, the gradient of the smooth part (loss and L2 part): grad_j + l1_j
   * sign(b_j) where b_j != 0, the amount |grad_j| exceeds l1_j where b_j = 0 (zero inside the
   * subdifferential), grad_j for the intercept. All zero exactly at the optimum (the KKT
   * conditions); for a smooth penalty, the gradient itself.
   */
  residual(beta: ArrayLike<number>, grad: ArrayLike<number>): Float64Array {
    const r = Float64Array.from(grad);
    for (let j = 0; j < this.p; j++) {
      const w = this.l1[j]!;
      if (w === 0) continue;
      const b = beta[j]!,
        g = grad[j]!;
      r[j] = b > 0 ? g + w : b < 0 ? g - w : Math.sign(g) * Math.max(0, Math.abs(g) - w);
    }
    return r;
  }
}

function softThreshold(x: number, threshold: number): number {
  return x > threshold ? x - threshold : x < -threshold ? x + threshold : 0;
}
