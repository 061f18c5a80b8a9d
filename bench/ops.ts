/**
 * Ops the overhead benchmark runs as tasks, in a module of their own so that worker threads
 * import them (each is registered with `module: import.meta.url`; compiled to dist/bench/ops.js).
 */
import type { BufferRef } from "../src/graph/kernel-ops.js";
import type { TaskContext } from "../src/graph/ops.js";

/** The trivial task: one addition. */
export function inc(x: number): number {
  return x + 1;
}

/** Sums a list of numbers (the reduction of the wide map). */
export function sumList(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/**
 * Loss and gradient of logistic regression on one chunk (X rows x cols, labels y) at w:
 * the fused kernel's gradient (cols + 1 entries, the last the intercept's), then the loss.
 */
export function chunkLossGrad(ctx: TaskContext, X: BufferRef, y: BufferRef, w: BufferRef, rows: number, cols: number): BufferRef {
  const out = ctx.alloc(8 * (cols + 2));
  const loss = ctx.kernels!.raw.glmLogisticLossGrad(rows, cols, X.ptr, cols, y.ptr, w.ptr, 0, out.ptr);
  out.f64()[cols + 1] = loss;
  return out;
}

/** Adds equally long float64 buffers into a new one. */
export function sumBuffers(ctx: TaskContext, parts: readonly BufferRef[]): BufferRef {
  const n = parts[0]!.bytes / 8;
  const out = ctx.alloc(8 * n);
  const raw = ctx.kernels!.raw;
  raw.copy(n, parts[0]!.ptr, out.ptr);
  for (let i = 1; i < parts.length; i++) raw.axpy(n, 1, parts[i]!.ptr, out.ptr);
  return out;
}

/** Chunk i of the profile's data: n values in [0.5, 1.5), deterministic so runs compare. */
export function profileChunk(ctx: TaskContext, i: number, n: number): BufferRef {
  const out = ctx.alloc(8 * n);
  const v = out.f64();
  for (let j = 0; j < n; j++) v[j] = 0.5 + ((i * 7919 + j * 104729) % 1000) / 1000;
  return out;
}

/** Sums a list of numbers (the tree reduction's op in the profile). */
export function total(parts: readonly number[]): number {
  return sumList(parts);
}
