/**
 * Newton's method: the Hessian X^T W X from the weighted Gram kernel (plus the L2 part of the
 * penalty), a Cholesky solve for the step, and a backtracking line search, so it never goes
 * uphill. A Hessian that is not positive definite is damped (mu I added, mu growing) until it is.
 */
import { ArgumentError } from "../../errors.js";
import { checkAborted, choleskySolve, defaults, dot, Penalized, relativeDecrease, type SolverOptions, type SolverResult } from "./common.js";

export async function newton(objective: Penalized, beta0: Float64Array, options: SolverOptions = {}): Promise<SolverResult> {
  if (!objective.reg.smooth) throw new ArgumentError("solver", "proximal_grad or admm for an L1 or elastic-net penalty (newton needs a smooth objective)", "newton", "fit");
  const { maxIter, tol } = defaults(options, 50, 1e-10);
  const n = objective.n, p = objective.p;
  let beta: Float64Array = Float64Array.from(beta0);
  let { value, grad } = await objective.valueGrad(beta);
  const history = [value];
  let converged = false;
  let it = 0;
  while (it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    const H = await objective.f.hessian(beta);
    for (let j = 0; j < p; j++) H[j * n + j] = H[j * n + j]! + objective.reg.l2;
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
    if (!(next <= value)) {
      converged = decrement / 2 < tol * Math.max(1, Math.abs(value));
      break;
    }
    beta = Float64Array.from(trial);
    const before = value;
    ({ value, grad } = await objective.valueGrad(beta));
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    if (relativeDecrease(before, value) < tol || decrement / 2 < tol * Math.max(1, Math.abs(value))) {
      converged = true;
      break;
    }
  }
  return { beta, nIter: it, converged, objective: value, history };
}
