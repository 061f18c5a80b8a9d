/**
 * Gradient descent with Barzilai-Borwein steps and a nonmonotone Armijo line search (Raydan's
 * global BB, with Grippo-Lampariello-Lucidi's reference value: the largest of the last ten
 * objectives). The first trial step of each iteration is s.s / s.y of the last move, the
 * curvature seen along it; a trial is accepted when it lies below the reference value by the
 * Armijo margin, else the step is halved. Letting the objective rise now and then is what makes
 * BB fast (monotone BB, or doubling the last step, stalls on ill-conditioned data). Each trial
 * costs one pass over X for loss and gradient together (the fused kernel), so an accepted first
 * trial is the iteration's only pass. Stops, converged, when the optimality residual (the scaled
 * gradient: Penalized.optimality) is at most `tol`.
 */
import { checkAborted, checkFinite, defaults, dot, type Penalized, startAt, type SolverOptions, type SolverResult } from "./common.js";

const ARMIJO = 1e-4;
/** Objectives the nonmonotone line search looks back over. */
const MEMORY = 10;

export async function gradientDescent(objective: Penalized, beta0: Float64Array, options: SolverOptions = {}): Promise<SolverResult> {
  const { maxIter, tol } = defaults(options, 2000);
  let beta: Float64Array = Float64Array.from(beta0);
  let { value, grad, optimality, converged } = await startAt("gradient_descent", objective, beta, tol);
  const history = [value];
  let step = options.curvature && options.curvature > 0 ? 1 / options.curvature : 1 / Math.max(1e-300, Math.sqrt(dot(grad, grad)));
  let best = { beta, value, optimality };
  let it = 0;
  const trial = new Float64Array(beta.length);
  while (!converged && it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    const g2 = dot(grad, grad);
    const reference = Math.max(...history.slice(-MEMORY));
    let next: { value: number; grad: Float64Array } | undefined;
    for (let tries = 0; tries < 60; tries++, step *= 0.5) {
      for (let j = 0; j < beta.length; j++) trial[j] = beta[j]! - step * grad[j]!;
      const at = await objective.valueGrad(trial);
      if (at.value <= reference - ARMIJO * step * g2) {
        next = at;
        break;
      }
    }
    if (!next) break; // no acceptable step at any length: as far as rounding allows
    const previous = beta,
      previousGrad = grad;
    beta = Float64Array.from(trial);
    ({ value, grad } = next);
    checkFinite("gradient_descent", it, value, beta);
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    optimality = objective.optimality(beta, grad);
    converged = optimality <= tol;
    if (value < best.value || converged) best = { beta, value, optimality };
    // Barzilai-Borwein: the next first trial is s.s / s.y (or a longer step when s.y <= 0)
    let ss = 0,
      sy = 0;
    for (let j = 0; j < beta.length; j++) {
      const sj = beta[j]! - previous[j]!;
      ss += sj * sj;
      sy += sj * (grad[j]! - previousGrad[j]!);
    }
    step = sy > 0 ? ss / sy : step * 2;
  }
  // nonmonotone: the last iterate need not be the lowest one seen
  if (!converged && best.value < value) ({ beta, value, optimality } = best);
  return { beta, nIter: it, converged, objective: value, history, optimality };
}
