/**
 * Element types. An array is float64 (the default) or float32, where requested: float32 arrays
 * store 4 bytes a value (half the memory and half the bytes to stream) and compute in float64.
 * Operations read a float32 array's chunks widened to float64 and round their results back to
 * float32, each inside the fused task that reads or writes the chunk (the widenF32 and narrowF32
 * kernels run tile by tile in the expression interpreter), so `x.exp().add(1)` on float32 data is
 * still one pass. Every operation's result is rounded to float32 as NumPy's float32 arithmetic
 * rounds it; the arithmetic in between is float64, so results are at least as accurate.
 */
import { ArgumentError } from "../errors.js";
import { BlockwiseLayer, Layer } from "../graph/layers.js";
import type { ChunkGrid } from "./grid.js";

/** The element types of chunked arrays. */
export type DType = "float64" | "float32";

export const DTYPES: readonly DType[] = ["float64", "float32"];

/** Bytes per value of `dtype`. */
export const bytesPer = (dtype: DType): number => (dtype === "float32" ? 4 : 8);

/** `value` if it names a dtype, else an ArgumentError naming `name` and the valid choices. */
export function checkDType(value: unknown, name: string, where: string): DType {
  if (!(DTYPES as readonly unknown[]).includes(value))
    throw new ArgumentError(name, `one of ${DTYPES.map((d) => `'${d}'`).join(", ")}`, value, where);
  return value as DType;
}

/**
 * The dtype of an operation's result by NumPy's rule for these two types: float32 when every
 * array operand is float32 (numbers do not widen it, as NumPy's Python scalars do not), else
 * float64.
 */
export function resultDType(...operands: readonly (number | { readonly dtype: DType })[]): DType {
  let any = false;
  for (const x of operands) {
    if (typeof x === "number") continue;
    if (x.dtype !== "float32") return "float64";
    any = true;
  }
  return any ? "float32" : "float64";
}

/**
 * The float64 values of float32 array `x`, the layer operations read: its stored chunks widened,
 * or, when x is an operation's rounded result not yet stored (a narrowF32 layer over the
 * float64 result), that result rounded to float32 values in place (one pass, not narrowing to
 * float32 and widening back: a chain of float32 operations costs one rounding pass each).
 */
export function widenedLayer(x: { readonly chunkGrid: ChunkGrid; readonly storageLayer: Layer }): BlockwiseLayer {
  const bytes = x.chunkGrid.bytes(8);
  const stored = x.storageLayer;
  if (stored instanceof BlockwiseLayer && stored.op === "narrowF32" && stored.inputs.length === 1 && stored.inputs[0] instanceof Layer) {
    return new BlockwiseLayer("roundF32", [stored.inputs[0]], { bytes });
  }
  return new BlockwiseLayer("widenF32", [stored], { bytes });
}
