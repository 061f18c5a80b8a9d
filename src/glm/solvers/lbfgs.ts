/**
 * L-BFGS: the two-loop recursion over the last `memory` (default 10) pairs of steps and
 * gradient changes, with a line search that satisfies the strong Wolfe conditions (bracketing
 * then zooming with cubic interpolation, Nocedal & Wright's algorithms 3.5 and 3.6). Stops,
 * converged, when the optimality residual (the scaled gradient: Penalized.optimality) is at most
 * `tol`; a line search that finds no decrease ends the solve unconverged unless the residual is
 * under `tol` there. Each trial point costs one pass over X (loss and gradient together, from
 * the fused kernel).
 */
import { ArgumentError } from "../../errors.js";
import {
  checkAborted,
  checkFinite,
  defaults,
  dot,
  type Penalized,
  startAt,
  type CurvaturePairs,
  type SolverOptions,
  type SolverResult,
} from "./common.js";

export interface LbfgsOptions extends SolverOptions {
  /** Pairs kept (default 10). */
  memory?: number;
  /** The start is near the optimum (a warm start): scale the first step by a probed curvature. */
  warmStart?: boolean;
  /**
   * Curvature pairs to start from, valid for this objective (a neighbouring fit's, adjusted to
   * this penalty: see GlmEstimator's path warm start). They replace the warm start's probe.
   */
  initialPairs?: CurvaturePairs;
}

const C1 = 1e-4;
const C2 = 0.9;

type Point = { t: number; value: number; slope: number; grad: Float64Array; beta: Float64Array };

/** The minimizer of the cubic through (a, fa, da) and (b, fb, db), kept inside [a, b] away from the ends. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  const lo = Math.min(a, b),
    hi = Math.max(a, b);
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
    if (Number.isFinite(t) && t > lo + 0.1 * (hi - lo) && t < hi - 0.1 * (hi - lo)) return t;
  }
  return (a + b) / 2;
}

async function strongWolfe(
  objective: Penalized,
  beta: Float64Array,
  value: number,
  slope0: number,
  dir: Float64Array,
  t0: number,
): Promise<Point | undefined> {
  const at = async (t: number): Promise<Point> => {
    const b = Float64Array.from(beta, (v, j) => v + t * dir[j]!);
    const { value: f, grad } = await objective.valueGrad(b);
    return { t, value: f, slope: dot(grad, dir), grad, beta: b };
  };
  // Hager and Zhang's approximate Wolfe conditions: near the optimum the decrease a step makes
  // is below the objective's rounding (relative 1e-16 of a sum over rows), so the sufficient
  // decrease test fails on noise; a step whose slope shows the minimum along dir was reached,
  // at a value within rounding of the start, is accepted (the gradient, a sum of its own, is
  // still accurate there: that is what lets the gradient get far below sqrt(epsilon)).
  const noise = 1e-10 * Math.abs(value);
  const approximateWolfe = (p: Point) =>
    Number.isFinite(p.value) && p.value <= value + noise && p.slope >= C2 * slope0 && p.slope <= -0.8 * slope0 && p.slope !== slope0;
  const zoom = async (lo: Point, hi: Point): Promise<Point | undefined> => {
    for (let i = 0; i < 30; i++) {
      const t = cubicMin(lo.t, lo.value, lo.slope, hi.t, hi.value, hi.slope);
      const p = await at(t);
      if (approximateWolfe(p)) return p;
      if (p.value > value + C1 * t * slope0 || p.value >= lo.value) hi = p;
      else {
        if (Math.abs(p.slope) <= -C2 * slope0) return p;
        if (p.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, lo.t)) break;
    }
    return lo.t > 0 && lo.value < value ? lo : undefined;
  };
  let prev: Point = { t: 0, value, slope: slope0, grad: new Float64Array(0), beta };
  let t = t0;
  for (let i = 0; i < 30; i++) {
    const p = await at(t);
    if (approximateWolfe(p)) return p;
    if (!Number.isFinite(p.value) || p.value > value + C1 * t * slope0 || (i > 0 && p.value >= prev.value)) return zoom(prev, p);
    if (Math.abs(p.slope) <= -C2 * slope0) return p;
    if (p.slope >= 0) return zoom(p, prev);
    prev = p;
    t *= 2;
  }
  return prev.t > 0 ? prev : undefined;
}

export async function lbfgs(objective: Penalized, beta0: Float64Array, options: LbfgsOptions = {}): Promise<SolverResult> {
  if (!objective.reg.smooth)
    throw new ArgumentError(
      "solver",
      "proximal_grad or admm for an L1 or elastic-net penalty (lbfgs needs a smooth objective)",
      "lbfgs",
      "fit",
    );
  const { maxIter, tol } = defaults(options, 500);
  const m = options.memory ?? 10;
  if (!Number.isInteger(m) || m < 1) throw new ArgumentError("memory", "a whole number >= 1", m, "lbfgs");
  let beta: Float64Array = Float64Array.from(beta0);
  let { value, grad, optimality, converged } = await startAt("lbfgs", objective, beta, tol);
  const history = [value];
  const S: Float64Array[] = [],
    Y: Float64Array[] = [],
    RHO: number[] = [];
  /** Keeps the pair (s, y) if it has positive curvature, dropping the oldest beyond m. */
  const remember = (s: Float64Array, y: Float64Array) => {
    const sy = dot(s, y);
    if (s.length !== beta.length || !(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
    S.push(s);
    Y.push(y);
    RHO.push(1 / sy);
    if (S.length > m) {
      S.shift();
      Y.shift();
      RHO.shift();
    }
  };
  const given = options.initialPairs;
  if (given) given.s.forEach((s, k) => remember(Float64Array.from(s), Float64Array.from(given.y[k]!)));
  let it = 0;
  while (!converged && it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    // two-loop recursion: dir = -H grad
    const q = Float64Array.from(grad);
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = RHO[k]! * dot(S[k]!, q);
      for (let j = 0; j < q.length; j++) q[j] = q[j]! - alpha[k]! * Y[k]![j]!;
    }
    let gamma =
      S.length > 0
        ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!)
        : options.curvature && options.curvature > 0
          ? 1 / options.curvature
          : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    if (S.length === 0 && options.warmStart) {
      // A warm start and no curvature pair yet: probe a short step along -g for one (one evaluation), so the
      // first step has the problem's scale. Without it a start near the optimum (a
      // regularization path) overshoots by orders of magnitude and the line search zooms for
      // many passes over X; from a cold start the plain first step costs fewer passes.
      const gnorm = Math.sqrt(dot(grad, grad));
      const h = 1e-4 * Math.max(1, Math.sqrt(dot(beta, beta)));
      const probe = Float64Array.from(beta, (v, j) => v - (h / gnorm) * grad[j]!);
      const { grad: g1 } = await objective.valueGrad(probe);
      const s = Float64Array.from(probe, (v, j) => v - beta[j]!);
      const y = Float64Array.from(g1, (v, j) => v - grad[j]!);
      const sy = dot(s, y);
      if (sy > 0) gamma = sy / dot(y, y);
    }
    for (let j = 0; j < q.length; j++) q[j] = q[j]! * gamma;
    for (let k = 0; k < S.length; k++) {
      const b = RHO[k]! * dot(Y[k]!, q);
      for (let j = 0; j < q.length; j++) q[j] = q[j]! + S[k]![j]! * (alpha[k]! - b);
    }
    const dir = q.map((v) => -v);
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      S.length = Y.length = RHO.length = 0;
      for (let j = 0; j < dir.length; j++) dir[j] = -grad[j]! / Math.max(1, Math.sqrt(dot(grad, grad)));
      slope = dot(grad, dir);
    }
    const point = await strongWolfe(objective, beta, value, slope, dir, 1);
    if (!point) break; // no acceptable step: the objective cannot be reduced along dir
    remember(
      Float64Array.from(point.beta, (v, j) => v - beta[j]!),
      Float64Array.from(point.grad, (v, j) => v - grad[j]!),
    );
    beta = point.beta;
    value = point.value;
    grad = point.grad;
    checkFinite("lbfgs", it, value, beta);
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    optimality = objective.optimality(beta, grad);
    converged = optimality <= tol;
  }
  return { beta, nIter: it, converged, objective: value, history, optimality, pairs: { s: S, y: Y } };
}
