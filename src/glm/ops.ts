/**
 * The per-chunk ops of GLM fitting, run as tasks on any thread (workers import this module):
 * loss and gradient in one pass over the chunk (the fused kernels), loss alone (line searches),
 * the Hessian X^T W X with the intercept's row and column, and ADMM's local subproblem (a few
 * damped Newton steps on one chunk, as one task).
 *
 * beta holds the p coefficients, then the intercept when there is one.
 */
import { ArgumentError } from "../errors.js";
import type { TaskContext } from "../graph/ops.js";
import { defaultOps, type OpRegistry } from "../graph/ops.js";
import type { KernelTable } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import { workerModuleUrl } from "../platform/node.js";

type Kernel = (...args: number[]) => number;
const kernel = (ctx: TaskContext, name: string): Kernel => {
  const k = (ctx.kernels!.raw as unknown as Record<string, Kernel>)[name];
  if (!k) throw new ArgumentError("kernel", "a GLM kernel name", name, "glm op");
  return k;
};

/**
 * grad (p + 1 values: coefficients, then the intercept's) and the loss (the last value), over
 * rows [row0, row0 + rows) of the chunk (a task may take part of a chunk, for balance).
 */
export function glmChunkLossGrad(ctx: TaskContext, lossGradKernel: string, X: BufferViews, y: BufferViews, beta: BufferViews, row0: number, rows: number, p: number, intercept: boolean): BufferViews {
  const out = ctx.alloc(8 * (p + 2));
  const b0 = intercept ? beta.f64()[p]! : 0;
  const loss = kernel(ctx, lossGradKernel)(rows, p, X.ptr + 8 * row0 * p, Math.max(p, 1), y.ptr + 8 * row0, beta.ptr, b0, out.ptr);
  out.f64()[p + 1] = loss;
  return out;
}

/** The summed loss over rows [row0, row0 + rows) of the chunk. */
export function glmChunkLoss(ctx: TaskContext, lossKernel: string, X: BufferViews, y: BufferViews, beta: BufferViews, row0: number, rows: number, p: number, intercept: boolean): number {
  const b0 = intercept ? beta.f64()[p]! : 0;
  return kernel(ctx, lossKernel)(rows, p, X.ptr + 8 * row0 * p, Math.max(p, 1), y.ptr + 8 * row0, beta.ptr, b0);
}

/**
 * The chunk's Hessian of the summed loss, n x n with n = p (+ 1 with an intercept):
 * [[X^T D X, X^T d], [d^T X, sum d]] with d the family's weights at beta.
 */
export function glmChunkHessian(ctx: TaskContext, weightsKernel: string, X: BufferViews, beta: BufferViews, rows: number, p: number, intercept: boolean): BufferViews {
  const n = intercept ? p + 1 : p;
  const out = ctx.alloc(8 * n * n);
  hessianInto(ctx.kernels!.raw, kernel(ctx, weightsKernel), ctx.scratch(8 * Math.max(rows + p, 1)), X, beta, rows, p, intercept, out);
  return out;
}

function hessianInto(raw: KernelTable, weights: Kernel, scratch: BufferViews, X: BufferViews, beta: BufferViews, rows: number, p: number, intercept: boolean, out: BufferViews): void {
  const n = intercept ? p + 1 : p;
  const b0 = intercept ? beta.f64()[p]! : 0;
  const d = scratch.ptr; // rows weights, then p values of X^T d
  weights(rows, p, X.ptr, Math.max(p, 1), beta.ptr, b0, d);
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
 * ADMM's local step for chunk `chunk`: x = argmin loss_i(x) + rho/2 ||x - v||^2 with
 * v = z - u_i (coefficients and intercept alike), by Newton steps with backtracking from the
 * chunk's previous x. z holds n values then rho; u and previous hold every chunk's n values;
 * returns the n values of x.
 */
export function glmAdmmLocal(
  ctx: TaskContext, lossGradKernel: string, lossKernel: string, weightsKernel: string,
  X: BufferViews, y: BufferViews, z: BufferViews, u: BufferViews, previous: BufferViews,
  chunk: number, rows: number, p: number, intercept: boolean, newtonSteps: number,
): BufferViews {
  const n = intercept ? p + 1 : p;
  const rho = z.f64()[n]!; // rho travels after z: the solver may change it between iterations
  const raw = ctx.kernels!.raw;
  const lossGrad = kernel(ctx, lossGradKernel), lossOnly = kernel(ctx, lossKernel), weights = kernel(ctx, weightsKernel);
  const out = ctx.alloc(8 * n);
  const hessianScratch = ctx.scratch(8 * (rows + p));
  const H = ctx.scratch(8 * n * n);
  const g = ctx.scratch(8 * (n + 1));
  const trial = ctx.scratch(8 * n);
  const x = out.f64();
  const zv = z.f64(), uv = u.f64();
  const v = Float64Array.from({ length: n }, (_, j) => zv[j]! - uv[chunk * n + j]!);
  x.set(previous.f64().subarray(chunk * n, (chunk + 1) * n)); // warm start: the chunk's last x
  const objective = (beta: BufferViews) => {
    const b = beta.f64();
    let prox = 0;
    for (let j = 0; j < n; j++) prox += (b[j]! - v[j]!) ** 2;
    return lossOnly(rows, p, X.ptr, Math.max(p, 1), y.ptr, beta.ptr, intercept ? b[p]! : 0) + 0.5 * rho * prox;
  };
  for (let it = 0; it < newtonSteps; it++) {
    lossGrad(rows, p, X.ptr, Math.max(p, 1), y.ptr, out.ptr, intercept ? x[p]! : 0, g.ptr);
    const gv = g.f64();
    let gmax = 0;
    for (let j = 0; j < n; j++) {
      gv[j] = gv[j]! + rho * (x[j]! - v[j]!);
      gmax = Math.max(gmax, Math.abs(gv[j]!));
    }
    if (gmax < 1e-9 * Math.max(1, rho * Math.sqrt(n))) break; // warm-started: usually one or two steps
    hessianInto(raw, weights, hessianScratch, X, out, rows, p, intercept, H);
    const h = H.f64();
    for (let j = 0; j < n; j++) h[j * n + j] = h[j * n + j]! + rho;
    // g becomes the Newton step (H is positive definite: the loss is convex and rho > 0)
    if (raw.spdSolve(n, H.ptr, n, g.ptr) !== 0) break;
    const f0 = objective(out);
    const tv = trial.f64();
    let t = 1;
    for (let ls = 0; ls < 40; ls++, t /= 2) {
      for (let j = 0; j < n; j++) tv[j] = x[j]! - t * gv[j]!;
      if (objective(trial) <= f0) break;
    }
    x.set(tv);
  }
  return out;
}

const OPS = { glmChunkLossGrad, glmChunkLoss, glmChunkHessian, glmAdmmLocal } as const;

/** The module workers import for these ops. */
export const GLM_OPS_MODULE = workerModuleUrl(import.meta.url);

/** Registers the GLM ops in `registry` (the default one unless given). */
export function registerGlmOps(registry: OpRegistry = defaultOps): void {
  for (const [name, fn] of Object.entries(OPS)) registry.register(name, fn, { context: true, module: GLM_OPS_MODULE });
}
