/**
 * Consensus ADMM over the row chunks (dask-glm's admm): every chunk i keeps its own x_i and a
 * scaled dual u_i; an iteration solves each chunk's local problem min loss_i(x) + rho/2
 * ||x - z + u_i||^2 as one task on a worker (Newton steps inside), then sets
 * z = prox_{R / (rho N)}(mean(x_i + u_i)) (the penalty's exact prox; the intercept is not
 * penalized) and u_i += x_i - z. Stops on the primal and dual residuals with abstol and reltol,
 * as dask-glm does. rho adapts by residual balancing (Boyd et al., section 3.4.1): doubled when
 * the primal residual is ten times the dual one, halved in the opposite case (the scaled duals
 * rescaled to match), since a fixed rho far from the data's curvature converges very slowly.
 */
import { ArgumentError } from "../../errors.js";
import { checkAborted, Penalized, type SolverOptions, type SolverResult } from "./common.js";

export interface AdmmOptions extends SolverOptions {
  rho?: number;
  /** Residual balancing of rho (default true). */
  adaptiveRho?: boolean;
  abstol?: number;
  reltol?: number;
  /** Most Newton steps per local solve (default 2: warm-started, an inexact local solve is enough). */
  localSteps?: number;
}

export async function admm(objective: Penalized, beta0: Float64Array, options: AdmmOptions = {}): Promise<SolverResult> {
  const f = objective.f;
  if (!f.admmLocal || !f.chunks) throw new ArgumentError("objective", "a chunked GLM problem (ADMM splits it by row chunks)", f, "admm");
  let rho = options.rho ?? 1;
  const adaptive = options.adaptiveRho !== false;
  const abstol = options.abstol ?? 1e-4;
  const reltol = options.reltol ?? 1e-2;
  const maxIter = options.maxIter ?? 250;
  const steps = options.localSteps ?? 2;
  if (!(rho > 0)) throw new ArgumentError("rho", "a number > 0", rho, "admm");
  const N = f.chunks, n = objective.n, p = objective.p;
  let z = Float64Array.from(beta0);
  const u = new Float64Array(N * n);
  let xs = new Float64Array(N * n);
  for (let i = 0; i < N; i++) xs.set(z, i * n);
  const history = [await objective.value(z)];
  let converged = false;
  let it = 0;
  let value = history[0]!;
  while (it < maxIter) {
    checkAborted(options.signal);
    it += 1;
    const local = await f.admmLocal(z, u, xs, rho, steps);
    xs = new Float64Array(N * n);
    local.forEach((x, i) => xs.set(x.subarray(0, n), i * n));
    // z-update: the prox of the penalty, scaled for N blocks
    const zOld = z;
    z = new Float64Array(n);
    for (let i = 0; i < N; i++) for (let j = 0; j < n; j++) z[j] = z[j]! + (xs[i * n + j]! + u[i * n + j]!) / N;
    objective.reg.prox(z, 1 / (rho * N), p);
    let primal = 0, xNorm = 0, uNorm = 0, dual = 0;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < n; j++) {
        const r = xs[i * n + j]! - z[j]!;
        u[i * n + j] = u[i * n + j]! + r;
        primal += r * r;
        xNorm += xs[i * n + j]! ** 2;
        uNorm += (rho * u[i * n + j]!) ** 2;
      }
    }
    for (let j = 0; j < n; j++) dual += (z[j]! - zOld[j]!) ** 2;
    const zNorm = Math.sqrt(N) * Math.sqrt(z.reduce((s, v) => s + v * v, 0));
    const epsPrimal = Math.sqrt(N * n) * abstol + reltol * Math.max(Math.sqrt(xNorm), zNorm);
    const epsDual = Math.sqrt(N * n) * abstol + reltol * Math.sqrt(uNorm);
    value = await objective.value(z);
    history.push(value);
    options.onIteration?.({ iteration: it, objective: value });
    const r = Math.sqrt(primal), sres = rho * Math.sqrt(N) * Math.sqrt(dual);
    if (r < epsPrimal && sres < epsDual) {
      converged = true;
      break;
    }
    if (adaptive && (r > 10 * sres || sres > 10 * r)) {
      const factor = r > 10 * sres ? 2 : 0.5;
      rho *= factor;
      for (let k = 0; k < u.length; k++) u[k] = u[k]! / factor; // u is the dual scaled by 1/rho
    }
  }
  return { beta: z, nIter: it, converged, objective: value, history };
}
