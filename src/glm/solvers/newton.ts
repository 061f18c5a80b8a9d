/**
 * Newton's method: the Hessian X^T W X from the weighted Gram kernel (plus the L2 part of the
 * penalty), a Cholesky solve for the step, and a backtracking line search, so it never goes
 * uphill. A Hessian that is not positive definite is damped (mu I added, mu growing) until it is.
 * Stops, converged, when the optimality residual (Penalized.optimality) is at most `tol`.
 */
import { ArgumentError } from "../../errors.js";
import {
  checkAborted,
  checkFinite,
  choleskySolve,
  defaults,
  dot,
  NonFiniteError,
  type Penalized,
  startAt,
  type SolverOptions,
  type SolverResult,
} from "./common.js";

export async function newton(objective: Penalized, beta0: Float64Array, options: SolverOptions = {}): Promise<SolverResult> {
  if (!objective.reg.smooth)
    throw new ArgumentError(
      "solver",
      "proximal_grad or admm for an L1 or elastic-net penalty (newton needs a smooth objective)",
      "newton",
      "fit",
    );
  const { maxIter, tol } = defaults(options, 100);
  const n = objective.n;
  let beta: Float64Array = Float64Array.from(beta0);
  let { value, grad, optimality, converged } = await startAt("newton", objective, beta, tol);
  const history = [value];
  let it = 0;
  while (!converged && it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    const H = await objective.f.hessian(beta);
    if (!H.every(Number.isFinite))
      throw new NonFiniteError("newton", it, "the Hessian (X^T W X: features beyond about 1e150 overflow it; scale them, or use lbfgs)");
    objective.reg.addHessian(H, n);
    let step = choleskySolve(H, grad, n);
    let mu = 1e-10 * Math.max(1, ...Array.from({ length: n }, (_, j) => Math.abs(H[j * n + j]!)));
    while (!step && mu < 1e300) {
      const damped = Float64Array.from(H);
      for (let j = 0; j < n; j++) damped[j * n + j] = damped[j * n + j]! + mu;
      step = choleskySolve(damped, grad, n);
      mu *= 10;
    }
    if (!step) throw new ArgumentError("X", "data with a Hessian that damping can make positive definite", "a singular problem", "newton");
    const decrement = dot(grad, step); // > 0: the step descends
    let t = 1;
    const trial = new Float64Array(n);
    let next = value;
    for (let tries = 0; tries < 60; tries++, t *= 0.5) {
      for (let j = 0; j < n; j++) trial[j] = beta[j]! - t * step[j]!;
      next = await objective.value(trial);
      if (next <= value - 1e-4 * t * decrement) break;
    }
    if (!(next <= value)) break; // no decrease along the Newton step: as far as rounding allows
    beta = Float64Array.from(trial);
    ({ value, grad } = await objective.valueGrad(beta));
    checkFinite("newton", it, value, beta);
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    optimality = objective.optimality(beta, grad);
    converged = optimality <= tol;
  }
  return { beta, nIter: it, converged, objective: value, history, optimality };
}
