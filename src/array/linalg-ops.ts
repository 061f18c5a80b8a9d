/**
 * The array ops that are matrix products on one chunk: X w, X^T r, X W, X^T X, a dot, and the
 * fused GLM gradient. array/ops.ts registers and re-exports them with the other array ops.
 */
import { ArgumentError } from "../errors.js";
import type { TaskContext } from "../graph/ops.js";
import type { KernelTable } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import { forRowBlocksF32 } from "./f32-rows.js";

const raw = (ctx: TaskContext): KernelTable => ctx.kernels!.raw;

/** X w for a rows x cols chunk of X and the matching part of w. */
export function gemvChunk(ctx: TaskContext, X: BufferViews, w: BufferViews, rows: number, cols: number, itemBytes = 8): BufferViews {
  const out = ctx.alloc(8 * rows);
  const k = raw(ctx);
  if (itemBytes === 4) {
    forRowBlocksF32(ctx, X, rows, cols, (block, r0, nr) => k.gemv(nr, cols, 1, block, Math.max(cols, 1), w.ptr, 0, out.ptr + 8 * r0));
    return out;
  }
  k.gemv(rows, cols, 1, X.ptr, Math.max(cols, 1), w.ptr, 0, out.ptr);
  return out;
}

/** X^T r for a rows x cols chunk of X and the matching part of r. */
export function gemvTChunk(ctx: TaskContext, X: BufferViews, r: BufferViews, rows: number, cols: number, itemBytes = 8): BufferViews {
  const out = ctx.alloc(8 * cols);
  const k = raw(ctx);
  if (itemBytes === 4) {
    out.f64().fill(0);
    forRowBlocksF32(ctx, X, rows, cols, (block, r0, nr) => k.gemvT(nr, cols, 1, block, Math.max(cols, 1), r.ptr + 8 * r0, 1, out.ptr));
    return out;
  }
  k.gemvT(rows, cols, 1, X.ptr, Math.max(cols, 1), r.ptr, 0, out.ptr);
  return out;
}

/** X W for a rows x cols chunk of X and a cols x k matrix W. */
export function gemmChunk(ctx: TaskContext, X: BufferViews, W: BufferViews, rows: number, cols: number, k: number): BufferViews {
  const out = ctx.alloc(8 * rows * k);
  const kt = raw(ctx);
  // row r of the product is W^T x_r: a gemvT per row (W is small; gemm would need packing space)
  for (let r = 0; r < rows; r++) kt.gemvT(cols, k, 1, W.ptr, Math.max(k, 1), X.ptr + 8 * r * cols, 0, out.ptr + 8 * r * k);
  return out;
}

/** X^T X (cols x cols) of a chunk, or X^T diag(d) X when d is given. */
export function gramChunk(ctx: TaskContext, X: BufferViews, d: BufferViews | null, rows: number, cols: number): BufferViews {
  const out = ctx.alloc(8 * cols * cols);
  const k = raw(ctx);
  if (d) k.gramWeighted(rows, cols, X.ptr, Math.max(cols, 1), d.ptr, 0, out.ptr, Math.max(cols, 1));
  else k.gram(rows, cols, X.ptr, Math.max(cols, 1), 0, out.ptr, Math.max(cols, 1));
  return out;
}

const GLM_KERNELS = { logistic: "glmLogisticGrad", normal: "glmNormalGrad", poisson: "glmPoissonGrad" } as const;

/**
 * X^T (mu - y) for a chunk, in one pass over X with the fused GLM kernel (mu the family's mean
 * at X w): cols + 1 values, the last being sum(mu - y) (the intercept's gradient).
 */
export function glmGradChunk(
  ctx: TaskContext,
  family: keyof typeof GLM_KERNELS,
  X: BufferViews,
  y: BufferViews,
  w: BufferViews,
  rows: number,
  cols: number,
): BufferViews {
  const kernel = GLM_KERNELS[family];
  if (!kernel) throw new ArgumentError("family", `one of ${Object.keys(GLM_KERNELS).join(", ")}`, family, "glmGradChunk");
  const out = ctx.alloc(8 * (cols + 1));
  raw(ctx)[kernel](rows, cols, X.ptr, Math.max(cols, 1), y.ptr, w.ptr, 0, out.ptr);
  return out;
}

/** The first n values of x, in a buffer of their own (the gradient of a GLM kernel without its intercept entry). */
export function leadingValues(ctx: TaskContext, x: BufferViews, n: number): BufferViews {
  const out = ctx.alloc(8 * n);
  out.f64().set(x.f64().subarray(0, n));
  return out;
}

/** a . b of two equally long chunks. */
export function dotChunk(ctx: TaskContext, a: BufferViews, b: BufferViews): number {
  return raw(ctx).dot(a.bytes / 8, a.ptr, b.ptr);
}
