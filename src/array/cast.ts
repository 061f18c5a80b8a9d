/** An operation's float64 result as an array of the dtype NumPy's rules give it (see dtype.ts). */
import { BlockwiseLayer } from "../graph/layers.js";
import { ChunkedArray } from "./array.js";
import type { DType } from "./dtype.js";

/**
 * `x` (computed in float64) as an array of `dtype`: itself for float64 and for a 0-D value, else
 * its values rounded to float32 (a blockwise narrowF32 layer, fused into the task making them).
 */
export function withDType(x: ChunkedArray, dtype: DType): ChunkedArray {
  if (dtype === x.dtype || x.ndim === 0) return x;
  if (dtype === "float64") {
    // the float64 values operations read: the widened layer
    return new ChunkedArray(() => x.layer, x.shape, x.chunks, { runtime: x.runtime, transposeOf: x.transposeOf });
  }
  return new ChunkedArray(() => new BlockwiseLayer("narrowF32", [x.layer], { bytes: x.chunkGrid.bytes(4) }), x.shape, x.chunks, {
    runtime: x.runtime,
    dtype: "float32",
    transposeOf: x.transposeOf,
  });
}
