/**
 * The per-chunk ops of GLM fitting, run as tasks on any thread (workers import this module):
 * loss and gradient in one pass over the chunk (the fused kernels), loss alone (line searches),
 * the Hessian X^T W X with the intercept's row and column, and ADMM's local subproblem (a few
 * Newton steps with a kept Hessian on one chunk, as one task).
 *
 * beta holds the p coefficients, then the intercept when there is one. With sample weights (fit's
 * sampleWeight, chunked like y) each op takes them as its last argument and its kernel is the
 * family's weighted one; unweighted plans pass nothing there and run what they always ran.
 */
import { ArgumentError } from "../errors.js";
import type { TaskContext } from "../graph/ops.js";
import { defaultOps, type OpRegistry } from "../graph/ops.js";
import type { KernelTable } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import { workerModuleUrl } from "../platform/code.js";
import { scaledHessianInto } from "./scaling.js";

type Kernel = (...args: number[]) => number;
const kernel = (ctx: TaskContext, name: string): Kernel => {
  const k = (ctx.kernels!.raw as unknown as Record<string, Kernel>)[name];
  if (!k) throw new ArgumentError("kernel", "a GLM kernel name", name, "glm op");
  return k;
};

/**
 * grad (p + 1 values: coefficients, then the intercept's) and the loss (the last value), over
 * rows [row0, row0 + rows) of the chunk (a task may take part of a chunk, for balance); with
 * `sampleWeight`, each row's loss and residual times its weight (lossGradKernel then the
 * family's weighted kernel).
 */
export function glmChunkLossGrad(
  ctx: TaskContext,
  lossGradKernel: string,
  X: BufferViews,
  y: BufferViews,
  beta: BufferViews,
  row0: number,
  rows: number,
  p: number,
  intercept: boolean,
  sampleWeight?: BufferViews,
): BufferViews {
  const out = ctx.alloc(8 * (p + 2));
  const b0 = intercept ? beta.f64()[p]! : 0;
  const k = kernel(ctx, lossGradKernel);
  const x = X.ptr + 8 * row0 * p,
    ldx = Math.max(p, 1),
    yr = y.ptr + 8 * row0;
  const loss = sampleWeight
    ? k(rows, p, x, ldx, yr, sampleWeight.ptr + 8 * row0, beta.ptr, b0, out.ptr)
    : k(rows, p, x, ldx, yr, beta.ptr, b0, out.ptr);
  out.f64()[p + 1] = loss;
  return out;
}

/** The summed loss over rows [row0, row0 + rows) of the chunk (weighted with `sampleWeight`, lossKernel then the weighted one). */
export function glmChunkLoss(
  ctx: TaskContext,
  lossKernel: string,
  X: BufferViews,
  y: BufferViews,
  beta: BufferViews,
  row0: number,
  rows: number,
  p: number,
  intercept: boolean,
  sampleWeight?: BufferViews,
): number {
  const b0 = intercept ? beta.f64()[p]! : 0;
  const k = kernel(ctx, lossKernel);
  const x = X.ptr + 8 * row0 * p,
    ldx = Math.max(p, 1),
    yr = y.ptr + 8 * row0;
  return sampleWeight ? k(rows, p, x, ldx, yr, sampleWeight.ptr + 8 * row0, beta.ptr, b0) : k(rows, p, x, ldx, yr, beta.ptr, b0);
}

/**
 * The chunk's Hessian of the summed loss, n x n with n = p (+ 1 with an intercept):
 * [[X^T D X, X^T d], [d^T X, sum d]] with d the family's weights at beta (times the sample
 * weights, when given).
 */
export function glmChunkHessian(
  ctx: TaskContext,
  weightsKernel: string,
  X: BufferViews,
  beta: BufferViews,
  rows: number,
  p: number,
  intercept: boolean,
  sampleWeight?: BufferViews,
): BufferViews {
  const n = intercept ? p + 1 : p;
  const out = ctx.alloc(8 * n * n);
  hessianInto(
    ctx.kernels!.raw,
    kernel(ctx, weightsKernel),
    ctx.scratch(8 * Math.max(rows + p, 1)),
    X,
    beta,
    rows,
    p,
    intercept,
    out,
    sampleWeight,
  );
  return out;
}

function hessianInto(
  raw: KernelTable,
  weights: Kernel,
  scratch: BufferViews,
  X: BufferViews,
  beta: BufferViews,
  rows: number,
  p: number,
  intercept: boolean,
  out: BufferViews,
  sampleWeight: BufferViews | undefined,
): void {
  const n = intercept ? p + 1 : p;
  const b0 = intercept ? beta.f64()[p]! : 0;
  const d = scratch.ptr; // rows weights, then p values of X^T d
  weights(rows, p, X.ptr, Math.max(p, 1), beta.ptr, b0, d);
  // row i's term of the weighted loss is sampleWeight[i] loss_i: its Hessian weight scales alike
  if (sampleWeight) raw.mulVV(rows, d, sampleWeight.ptr, d);
  raw.gramWeighted(rows, p, X.ptr, Math.max(p, 1), d, 0, out.ptr, Math.max(n, 1));
  if (!intercept) return;
  const xtd = d + 8 * rows;
  raw.gemvT(rows, p, 1, X.ptr, Math.max(p, 1), d, 0, xtd);
  const h = out.f64();
  const v = scratch.f64();
  for (let j = 0; j < p; j++) h[j * n + p] = h[p * n + j] = v[rows + j]!;
  h[p * n + p] = raw.sum(rows, d);
}

/**
 * ADMM's local step for chunk `chunk`, in the solver's coordinates gamma (beta = J gamma, see
 * glm/scaling.ts; `coords` holds the scales d, then the centers m): x = argmin loss_i(J x) +
 * rho/2 ||x - v||^2 with v = z - u_i, warm-started from the chunk's previous x. z holds n values,
 * then rho, then whether to refresh the chunk's Hessian; u and previous hold every chunk's n
 * values; `hessians` keeps each chunk's Hessian of its loss (n x n, in gamma) between iterations.
 *
 * Each step is a Newton step with that kept Hessian (plus rho I) and a backtracking line search:
 * one pass over the chunk for the gradient, one for the trial's loss, and no n x n x rows
 * Hessian pass except when refreshed (the first iteration and a few after it): near the
 * consensus the chunk's Hessian hardly changes, and a pass for it costs about p gradient passes.
 * With `sampleWeight` (the chunk's weights) lossGradKernel is the family's weighted kernel and
 * the Hessian's weights are scaled by them. Returns the n values of x.
 */
export function glmAdmmLocal(
  // the trial steps' losses come from lossGradKernel's pass; the loss kernel's name stays in the task's arguments
  ctx: TaskContext,
  lossGradKernel: string,
  _lossKernel: string,
  weightsKernel: string,
  X: BufferViews,
  y: BufferViews,
  z: BufferViews,
  u: BufferViews,
  previous: BufferViews,
  coords: BufferViews,
  hessians: BufferViews,
  chunk: number,
  rows: number,
  p: number,
  intercept: boolean,
  newtonSteps: number,
  sampleWeight?: BufferViews,
): BufferViews {
  const n = intercept ? p + 1 : p;
  const zv = z.f64(),
    uv = u.f64();
  const rho = zv[n]!; // rho travels after z: the solver may change it between iterations
  const refresh = zv[n + 1]! !== 0;
  const raw = ctx.kernels!.raw;
  const lossGrad = kernel(ctx, lossGradKernel),
    weights = kernel(ctx, weightsKernel);
  const out = ctx.alloc(8 * n);
  const beta = ctx.scratch(8 * n); // J x: what the kernels read
  const H = ctx.scratch(8 * n * n);
  const cv = coords.f64();
  const d = cv.subarray(0, p),
    m = cv.subarray(p, 2 * p);
  const x = out.f64();
  const v = Float64Array.from({ length: n }, (_, j) => zv[j]! - uv[chunk * n + j]!);
  x.set(previous.f64().subarray(chunk * n, (chunk + 1) * n));
  const toBeta = (gamma: ArrayLike<number>) => {
    const b = beta.f64();
    let shift = 0;
    for (let j = 0; j < p; j++) {
      b[j] = gamma[j]! / d[j]!;
      shift += m[j]! * b[j]!;
    }
    if (intercept) b[p] = gamma[p]! - shift;
    return b;
  };
  const kept = hessians.f64().subarray(chunk * n * n, (chunk + 1) * n * n);
  if (refresh) {
    toBeta(x);
    const Hb = ctx.scratch(8 * n * n);
    hessianInto(raw, weights, ctx.scratch(8 * (rows + p)), X, beta, rows, p, intercept, Hb, sampleWeight);
    scaledHessianInto(Hb.f64(), d, m, p, intercept, kept);
    if (!kept.every(Number.isFinite)) {
      x.fill(NaN); // the Hessian overflowed (features beyond about 1e150): the solver reports it
      return out;
    }
  }
  // each trial is evaluated with loss and gradient together (one pass over the chunk): an
  // accepted trial's gradient starts the next step, so a step costs one pass, not two
  let g = ctx.scratch(8 * (n + 1)),
    gTrial = ctx.scratch(8 * (n + 1));
  const trial = ctx.scratch(8 * n);
  const tv = trial.f64();
  const proxTerm = (gamma: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += (gamma[j]! - v[j]!) ** 2;
    return 0.5 * rho * s;
  };
  const evaluate = (gamma: ArrayLike<number>, into: BufferViews) => {
    const b = toBeta(gamma);
    const b0 = intercept ? b[p]! : 0;
    const loss = sampleWeight
      ? lossGrad(rows, p, X.ptr, Math.max(p, 1), y.ptr, sampleWeight.ptr, beta.ptr, b0, into.ptr)
      : lossGrad(rows, p, X.ptr, Math.max(p, 1), y.ptr, beta.ptr, b0, into.ptr);
    return loss + proxTerm(gamma);
  };
  let value = evaluate(x, g);
  const gs = new Float64Array(n);
  let firstGmax = 0;
  for (let it = 0; it < newtonSteps; it++) {
    const gv = g.f64();
    // the gradient in gamma: J^T g, plus the proximal term's
    const gb = intercept ? gv[p]! : 0;
    let gmax = 0;
    for (let j = 0; j < n; j++) {
      const loss = j < p ? (gv[j]! - m[j]! * gb) / d[j]! : gb;
      gs[j] = loss + rho * (x[j]! - v[j]!);
      gmax = Math.max(gmax, Math.abs(gs[j]!));
    }
    // inexact local solves: a hundredfold decrease of the local gradient is enough (near the
    // consensus the first step usually makes it; more steps there did not cut ADMM's iterations)
    if (it === 0) firstGmax = gmax;
    else if (gmax <= 1e-2 * firstGmax) break;
    if (!(gmax > 1e-13 * Math.max(1, rho))) break;
    const h = H.f64();
    h.set(kept);
    for (let j = 0; j < n; j++) h[j * n + j] = h[j * n + j]! + rho;
    const step = new Float64Array(gs);
    const rhs = gTrial.f64();
    rhs.set(step);
    if (raw.spdSolve(n, H.ptr, n, gTrial.ptr) !== 0) break;
    step.set(rhs.subarray(0, n));
    let slope = 0;
    for (let j = 0; j < n; j++) slope += gs[j]! * step[j]!;
    let t = 1,
      accepted = false;
    for (let ls = 0; ls < 40; ls++, t /= 2) {
      for (let j = 0; j < n; j++) tv[j] = x[j]! - t * step[j]!;
      const next = evaluate(tv, gTrial);
      if (next <= value - 1e-4 * t * slope) {
        value = next;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    x.set(tv);
    [g, gTrial] = [gTrial, g];
  }
  return out;
}

const OPS = { glmChunkLossGrad, glmChunkLoss, glmChunkHessian, glmAdmmLocal } as const;

/** The module workers import for these ops. */
export const GLM_OPS_MODULE = workerModuleUrl(import.meta.url);

/** Registers the GLM ops in `registry` (the default one unless given). */
export function registerGlmOps(registry: OpRegistry = defaultOps): void {
  for (const [name, fn] of Object.entries(OPS)) registry.register(name, fn, { context: true, module: GLM_OPS_MODULE, own: true });
}
