/**
 * The GLM chunk gradient as a piscina task: weft's own wasm-simd kernel, but without the shared
 * memory. Each task's inputs arrive by message (a structured-clone copy of the chunk), are
 * copied into this worker's private kernel memory, and the result goes back by message: what
 * every runtime without a shared heap pays (the "shared memory" row of `weft bench ideas`).
 */
import { Kernels } from "weftjs/kernels";
import type { Allocation } from "weftjs/memory";

const kernels = await Kernels.create({ backend: "wasm-simd", memory: { initial: 16 << 20, maximum: 2 ** 31 } });
const buffers = new Map<string, Allocation>();

/** A buffer of at least n doubles in this worker's memory, reused between tasks. */
function buffer(name: string, n: number): Allocation {
  const have = buffers.get(name);
  if (have && have.bytes >= 8 * n) return have;
  have?.free();
  const fresh = kernels.memory.allocF64(Math.max(n, 1));
  buffers.set(name, fresh);
  return fresh;
}

export interface GlmChunkMessage {
  X: Float64Array;
  y: Float64Array;
  w: Float64Array;
  rows: number;
  cols: number;
}

/** Loss and gradient of one chunk: [gradient (cols), intercept gradient, loss]. */
export default function glmChunk({ X, y, w, rows, cols }: GlmChunkMessage): Float64Array {
  const Xb = buffer("X", rows * cols),
    yb = buffer("y", rows),
    wb = buffer("w", cols),
    out = buffer("out", cols + 2);
  Xb.f64().set(X);
  yb.f64().set(y);
  wb.f64().set(w);
  const loss = kernels.raw.glmLogisticLossGrad(rows, cols, Xb.ptr, Math.max(cols, 1), yb.ptr, wb.ptr, 0, out.ptr);
  const result = out.f64().slice(0, cols + 2);
  result[cols + 1] = loss;
  return result;
}
