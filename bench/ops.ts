/**
 * Ops the overhead benchmark runs as tasks, in a module of their own so that worker threads
 * import them (each is registered with `module: import.meta.url`; compiled to bench/dist/ops.js).
 */
import type { BufferRef, TaskContext } from "weftjs";

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

/** Chunk i of the profile's data: n values in [0.5, 1.5), deterministic so runs compare. */
export function profileChunk(ctx: TaskContext, i: number, n: number): BufferRef {
  const out = ctx.alloc(8 * n);
  const v = out.f64();
  for (let j = 0; j < n; j++) v[j] = 0.5 + ((i * 7919 + j * 104729) % 1000) / 1000;
  return out;
}
