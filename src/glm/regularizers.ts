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

  constructor(readonly name: RegularizerName, readonly lambda: number, readonly l1Ratio = 0.5) {
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

  /** lambda * R over the first p entries of beta. */
  value(beta: ArrayLike<number>, p: number): number {
    let abs = 0, sq = 0;
    for (let j = 0; j < p; j++) {
      abs += Math.abs(beta[j]!);
      sq += beta[j]! * beta[j]!;
    }
    return this.l1 * abs + 0.5 * this.l2 * sq;
  }

  /** Adds the gradient of the smooth part (the L2 part) to grad[0 .. p). */
  addGradient(beta: ArrayLike<number>, grad: Float64Array, p: number): void {
    if (this.l2 === 0) return;
    for (let j = 0; j < p; j++) grad[j] = grad[j]! + this.l2 * beta[j]!;
  }

  /** prox of t * (the whole penalty) applied to v[0 .. p) in place (the intercept untouched). */
  prox(v: Float64Array, t: number, p: number): void {
    const threshold = t * this.l1;
    const shrink = 1 / (1 + t * this.l2);
    for (let j = 0; j < p; j++) {
      const x = v[j]!;
      const soft = x > threshold ? x - threshold : x < -threshold ? x + threshold : 0;
      v[j] = soft * shrink;
    }
  }

  /** prox of t * the L1 part only (for solvers that put the L2 part in the smooth objective). */
  proxL1(v: Float64Array, t: number, p: number): void {
    const threshold = t * this.l1;
    for (let j = 0; j < p; j++) {
      const x = v[j]!;
      v[j] = x > threshold ? x - threshold : x < -threshold ? x + threshold : 0;
    }
  }
}
