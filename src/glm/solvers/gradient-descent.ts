/**
 * Gradient descent with an Armijo backtracking line search (dask-glm's gradient_descent). Each
 * iteration's first trial step is the Barzilai-Borwein step s.s / s.y of the last move (the
 * curvature seen along it), which converges far faster than doubling the last step; the
 * backtracking keeps every iteration a descent. A trial costs one pass over X for the loss alone;
 * the accepted point one more for the gradient.
 */
import { checkAborted, defaults, dot, Penalized, relativeDecrease, type SolverOptions, type SolverResult } from "./common.js";

const ARMIJO = 1e-4;

export async function gradientDescent(objective: Penalized, beta0: Float64Array, options: SolverOptions = {}): Promise<SolverResult> {
  const { maxIter, tol } = defaults(options, 500);
  let beta: Float64Array = Float64Array.from(beta0);
  let { value, grad } = await objective.valueGrad(beta);
  const history = [value];
  let step = 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
  let converged = false;
  let it = 0;
  const trial = new Float64Array(beta.length);
  while (it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    const g2 = dot(grad, grad);
    if (g2 === 0) {
      converged = true;
      break;
    }
    let next = value;
    for (let tries = 0; tries < 60; tries++) {
      for (let j = 0; j < beta.length; j++) trial[j] = beta[j]! - step * grad[j]!;
      next = await objective.value(trial);
      if (next <= value - ARMIJO * step * g2) break;
      step *= 0.5;
    }
    if (!(next <= value)) break; // no decrease at any step: as far as this method goes
    const previous = beta, previousGrad = grad;
    beta = Float64Array.from(trial);
    const before = value;
    ({ value, grad } = await objective.valueGrad(beta));
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    // Barzilai-Borwein: the next first trial is s.s / s.y (or a longer step when s.y <= 0)
    let ss = 0, sy = 0;
    for (let j = 0; j < beta.length; j++) {
      const sj = beta[j]! - previous[j]!;
      ss += sj * sj;
      sy += sj * (grad[j]! - previousGrad[j]!);
    }
    step = sy > 0 ? ss / sy : step * 2;
    if (relativeDecrease(before, value) < tol) {
      converged = true;
      break;
    }
  }
  return { beta, nIter: it, converged, objective: value, history };
}
