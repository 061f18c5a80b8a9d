/**
 * Consensus ADMM over the row chunks (dask-glm's admm): every chunk i keeps its own x_i and a
 * scaled dual u_i; an iteration solves each chunk's local problem min loss_i(x) + rho/2
 * ||x - z + u_i||^2 as one task on a worker (warm-started Newton steps with the chunk's kept
 * Hessian: GlmProblem.admmLocal), then sets z = prox_{R / (rho N)}(mean(xhat_i + u_i)) (the
 * penalty's exact prox; the intercept is not penalized) and u_i += xhat_i - z, with xhat_i =
 * alpha x_i + (1 - alpha) z_old (over-relaxation, Boyd et al. section 3.4.3; alpha = 1 by
 * default: 1.3 and 1.6 were slower on every problem of the conformance suite).
 *
 * rho starts at the chunks' typical curvature (`rho0`, from the data: the estimator passes the
 * rows per chunk times the family's typical weight in its scaled coordinates), and is balanced
 * against the residuals (section 3.4.1): doubled when the primal residual is ten times the dual
 * one, halved in the opposite case, the scaled duals rescaled to match.
 *
 * It stops, converged, on the same rule as every solver: the optimality residual of the whole
 * problem at z (Penalized.optimality, from one pass over X for loss and gradient at z: every
 * iteration up to the tenth, then every fourth, and at the last; `history` and onIteration see
 * those iterations) at most `tol`. The primal and dual residuals are reported beside it; small
 * residuals alone do not mean an optimal z (dask-glm's abstol 1e-4 and reltol 1e-2 stopped 30x
 * above the optimum on raw data).
 */
import { ArgumentError } from "../../errors.js";
import {
  checkAborted,
  checkFinite,
  defaults,
  NonFiniteError,
  type Penalized,
  startAt,
  type SolverOptions,
  type SolverResult,
} from "./common.js";

/** The optimality check runs every iteration up to this one, then every CHECK_EVERY-th. */
const CHECK_EVERY_UNTIL = 10;
const CHECK_EVERY = 4;

export interface AdmmOptions extends SolverOptions {
  /** The starting penalty parameter (default rho0, else 1). */
  rho?: number;
  /** The starting rho when `rho` is not given: the chunks' typical curvature. @internal */
  rho0?: number;
  /** Residual balancing of rho (default true). */
  adaptiveRho?: boolean;
  /** Over-relaxation alpha in [1, 2) (default 1: plain ADMM). */
  relaxation?: number;
  /** Most Newton steps per local solve (default 3); a local solve ends sooner once its gradient fell a hundredfold. */
  localSteps?: number;
  /** @deprecated Accepted and ignored: ADMM stops on `tol` like every solver. */
  abstol?: number;
  /** @deprecated Accepted and ignored: ADMM stops on `tol` like every solver. */
  reltol?: number;
}

export async function admm(objective: Penalized, beta0: Float64Array, options: AdmmOptions = {}): Promise<SolverResult> {
  const f = objective.f;
  if (!f.admmLocal || !f.chunks) throw new ArgumentError("objective", "a chunked GLM problem (ADMM splits it by row chunks)", f, "admm");
  const { maxIter, tol } = defaults(options, 2000);
  let rho = options.rho ?? options.rho0 ?? 1;
  const adaptive = options.adaptiveRho !== false;
  const alpha = options.relaxation ?? 1;
  const steps = options.localSteps ?? 3;
  if (!(rho > 0) || !Number.isFinite(rho)) throw new ArgumentError("rho", "a finite number > 0", rho, "admm");
  if (!(alpha >= 1 && alpha < 2)) throw new ArgumentError("relaxation", "a number in [1, 2)", alpha, "admm");
  const N = f.chunks,
    n = objective.n;
  let z = Float64Array.from(beta0);
  const u = new Float64Array(N * n);
  let xs = new Float64Array(N * n);
  for (let i = 0; i < N; i++) xs.set(z, i * n);
  const start = await startAt("admm", objective, z, tol);
  let at: { value: number; grad: Float64Array } = start;
  let { value, optimality, converged } = start;
  const history = [value];
  let residuals = { primal: 0, dual: 0 };
  let it = 0;
  let nextRefresh = 1;
  while (!converged && it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    // the kept local Hessians are refreshed at iterations 1, 2, 4, 8, ...: they settle as x_i do
    const refresh = it === nextRefresh;
    if (refresh) nextRefresh *= 2;
    const local = await f.admmLocal(z, u, xs, rho, steps, refresh);
    xs = new Float64Array(N * n);
    local.forEach((x, i) => xs.set(x.subarray(0, n), i * n));
    if (!xs.every(Number.isFinite))
      throw new NonFiniteError("admm", it, "a chunk's local solution (its Hessian X_i^T W X_i overflows with features beyond about 1e150)");
    const zOld = z;
    z = new Float64Array(n);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < n; j++) z[j] = z[j]! + (alpha * xs[i * n + j]! + (1 - alpha) * zOld[j]! + u[i * n + j]!) / N;
    }
    objective.reg.prox(z, 1 / (rho * N));
    let primal = 0,
      dual = 0;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < n; j++) {
        const relaxed = alpha * xs[i * n + j]! + (1 - alpha) * zOld[j]!;
        u[i * n + j] = u[i * n + j]! + relaxed - z[j]!;
        primal += (xs[i * n + j]! - z[j]!) ** 2;
      }
    }
    for (let j = 0; j < n; j++) dual += (z[j]! - zOld[j]!) ** 2;
    const r = Math.sqrt(primal),
      s = rho * Math.sqrt(N) * Math.sqrt(dual);
    residuals = { primal: r, dual: s };
    // the optimality check costs a pass over X: every iteration at first, then every fourth
    // (ADMM takes tens of iterations; the check was a fifth of each one's passes), and at the last
    if (it <= CHECK_EVERY_UNTIL || it % CHECK_EVERY === 0 || it === maxIter) {
      at = await objective.valueGrad(z);
      value = at.value;
      checkFinite("admm", it, value, z);
      history.push(value);
      options.onIteration?.({ iteration: it, objective: value });
      optimality = objective.optimality(z, at.grad);
      converged = optimality <= tol;
    }
    if (!converged && adaptive && (r > 10 * s || s > 10 * r)) {
      const factor = r > 10 * s ? 2 : 0.5;
      rho *= factor;
      for (let k = 0; k < u.length; k++) u[k] = u[k]! / factor; // u is the dual scaled by 1/rho
    }
  }
  return { beta: z, nIter: it, converged, objective: value, history, optimality, residuals };
}
