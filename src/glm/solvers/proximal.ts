/**
 * Proximal gradient descent for penalties with an L1 part (L1, elastic net): a gradient step on
 * the smooth part (the loss plus the L2 part), then the L1 part's proximal operator (soft
 * thresholding), with a backtracking line search on the smooth part's quadratic upper bound;
 * FISTA's momentum by option. Exact zeros come out of the prox, not of rounding.
 */
import { checkAborted, defaults, dot, normInf, Penalized, relativeDecrease, type SolverOptions, type SolverResult } from "./common.js";

export interface ProximalOptions extends SolverOptions {
  /** Nesterov/FISTA acceleration (default false: every step then lowers the objective). */
  fista?: boolean;
}

export async function proximalGrad(objective: Penalized, beta0: Float64Array, options: ProximalOptions = {}): Promise<SolverResult> {
  const { maxIter, tol } = defaults(options, 1000, 1e-10);
  const reg = objective.reg, p = objective.p, n = objective.n;
  const l1 = (b: Float64Array) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += Math.abs(b[j]!);
    return reg.l1 * s;
  };
  let x: Float64Array = Float64Array.from(beta0);
  let point: Float64Array = Float64Array.from(x); // where the gradient is taken (x itself without FISTA)
  let { smooth, grad } = await objective.valueGrad(point);
  let value = (await objective.smoothValue(x)) + l1(x);
  const history = [value];
  let step = 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
  let momentum = 1;
  let converged = false;
  let it = 0;
  while (it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    let z: Float64Array = new Float64Array(n);
    let zSmooth = smooth;
    for (let tries = 0; tries < 60; tries++) {
      z = Float64Array.from(point, (v, j) => v - step * grad[j]!);
      reg.proxL1(z, step, p);
      zSmooth = await objective.smoothValue(z);
      let lin = 0, quad = 0;
      for (let j = 0; j < n; j++) {
        const d = z[j]! - point[j]!;
        lin += grad[j]! * d;
        quad += d * d;
      }
      if (zSmooth <= smooth + lin + quad / (2 * step) + 1e-12 * Math.abs(smooth)) break;
      step *= 0.5;
    }
    const zValue = zSmooth + l1(z);
    const moved = normInf(Float64Array.from(z, (v, j) => v - x[j]!));
    if (options.fista) {
      const next = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
      point = Float64Array.from(z, (v, j) => v + ((momentum - 1) / next) * (v - x[j]!));
      momentum = next;
    } else {
      point = z;
    }
    const before = value;
    x = z;
    value = zValue;
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    if (moved === 0 || (relativeDecrease(before, value) < tol && relativeDecrease(before, value) >= 0)) {
      converged = true;
      break;
    }
    ({ smooth, grad } = await objective.valueGrad(point));
    step *= 1.5; // let the step grow back
  }
  return { beta: x, nIter: it, converged, objective: value, history };
}
