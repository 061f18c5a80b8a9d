/**
 * Proximal gradient descent for penalties with an L1 part (L1, elastic net): a gradient step on
 * the smooth part (the loss plus the L2 part), then the L1 part's proximal operator (soft
 * thresholding, per coefficient), with a backtracking line search on the smooth part's quadratic
 * upper bound. By default with FISTA's momentum and adaptive restart (O'Donoghue & Candes 2015:
 * the momentum is dropped whenever the objective rises), which keeps FISTA's speed on
 * ill-conditioned data without its oscillations; the step may grow again after each iteration
 * (by 1.25), so one short step early does not slow the whole solve. Exact zeros come out of the
 * prox, not of rounding.
 *
 * Every trial costs one pass over X for the smooth part's value and gradient together, so the
 * optimality residual (the proximal-gradient (KKT) residual: Penalized.optimality) is known at
 * every accepted point, and the solve stops, converged, when it is at most `tol`.
 */
import { checkAborted, checkFinite, defaults, type Penalized, startAt, type SolverOptions, type SolverResult } from "./common.js";

export interface ProximalOptions extends SolverOptions {
  /** FISTA's momentum with adaptive restart (default true); false: plain proximal gradient steps. */
  fista?: boolean;
}

export async function proximalGrad(objective: Penalized, beta0: Float64Array, options: ProximalOptions = {}): Promise<SolverResult> {
  const { maxIter, tol } = defaults(options, 5000);
  const reg = objective.reg,
    n = objective.n;
  const fista = options.fista !== false;
  let x: Float64Array = Float64Array.from(beta0);
  const start = await startAt("proximal_grad", objective, x, tol);
  let atX: { value: number; grad: Float64Array; smooth: number } = start;
  let { value, optimality, converged } = start;
  const history = [value];
  // y: where the gradient step starts (x itself without momentum), with its smooth value and gradient
  let y = x,
    atY = atX;
  let step =
    options.curvature && options.curvature > 0
      ? 1 / options.curvature
      : 1 / Math.max(1e-300, Math.sqrt(atX.grad.reduce((s, g) => s + g * g, 0)));
  let momentum = 1;
  let it = 0;
  while (!converged && it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    let z: Float64Array | undefined, atZ: typeof atX | undefined;
    for (let tries = 0; tries < 80; tries++, step *= 0.5) {
      const trial = Float64Array.from(y, (v, j) => v - step * atY.grad[j]!);
      reg.proxL1(trial, step);
      const at = await objective.valueGrad(trial);
      let lin = 0,
        quad = 0,
        curved = 0;
      for (let j = 0; j < n; j++) {
        const d = trial[j]! - y[j]!;
        lin += atY.grad[j]! * d;
        quad += d * d;
        curved += (at.grad[j]! - atY.grad[j]!) * d;
      }
      // the quadratic upper bound with 1/step, tested on values; or, where the values' difference
      // is lost in their rounding (near the optimum), on the gradients: the curvature along the
      // step at most 1/step
      const bound = at.smooth <= atY.smooth + lin + quad / (2 * step);
      if (
        quad === 0 ||
        bound ||
        (Number.isFinite(at.smooth) && curved <= quad / step && at.smooth <= atY.smooth + 1e-10 * Math.abs(atY.smooth))
      ) {
        z = trial;
        atZ = at;
        break;
      }
    }
    if (!z || !atZ) break; // no step satisfies the bound: as far as rounding allows
    checkFinite("proximal_grad", it, atZ.value, z);
    optimality = objective.optimality(z, atZ.grad);
    converged = optimality <= tol;
    const restart = atZ.value > value; // the objective rose: drop the momentum
    if (fista && !restart && !converged) {
      const next = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
      const w = (momentum - 1) / next;
      momentum = next;
      const previous = x;
      x = z;
      atX = atZ;
      if (w > 0) {
        y = Float64Array.from(z, (v, j) => v + w * (v - previous[j]!));
        atY = await objective.valueGrad(y);
        if (!Number.isFinite(atY.value)) ({ y, atY } = { y: z, atY: atZ });
      } else {
        y = z;
        atY = atZ;
      }
    } else {
      momentum = 1;
      if (atZ.value <= value || converged) {
        x = z;
        atX = atZ;
      }
      y = x;
      atY = atX;
      if (!(atZ.value <= value) && !converged) optimality = objective.optimality(x, atX.grad);
    }
    value = atX.value;
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    step *= 1.25; // let the step grow back
  }
  return { beta: x, nIter: it, converged, objective: value, history, optimality };
}
