/**
 * Reductions: sum, min, max over everything or one axis, as a tree of partial results (each
 * chunk reduced on its own, then `splitEvery` partials combined per task, level by level, like
 * Dask's split_every); mean, var and std on top. A full reduction gives a 0-D array.
 */
import { ArgumentError } from "../errors.js";
import { uniqueName } from "../graph/keys.js";
import { BlockwiseLayer, TreeReductionLayer, type Layer } from "../graph/layers.js";
import type { ChunkTable } from "../graph/tables.js";
import { ChunkedArray, type ReduceOptions } from "./array.js";
import { binaryF64, unaryF64 } from "./elementwise.js";
import { describeShape } from "./chunks.js";
import { withDType } from "./cast.js";
import { checkBoolean, checkOptions } from "../validate.js";

export type ReductionKind = "sum" | "min" | "max";

const CHUNK_OP: Record<ReductionKind, string> = { sum: "sum", min: "minOf", max: "maxOf" };
const COMBINE_OP: Record<ReductionKind, string> = { sum: "combineSum", min: "combineMin", max: "combineMax" };

function checkAxis(x: ChunkedArray, axis: number | undefined, where: string): number | undefined {
  if (axis === undefined) return undefined;
  if (!Number.isInteger(axis) || axis < -x.ndim || axis >= Math.max(x.ndim, 1)) {
    throw new ArgumentError(
      "axis",
      `an axis of an array of shape ${describeShape(x.shape)} (from ${-x.ndim} to ${Math.max(x.ndim - 1, 0)})`,
      axis,
      where,
    );
  }
  return axis < 0 ? axis + x.ndim : axis;
}

function checkSplitEvery(options: ReduceOptions | undefined, where: string): number {
  checkOptions(options, where, ["splitEvery", "keepdims", "ddof"]);
  checkBoolean(options?.keepdims, "keepdims", where);
  const s = options?.splitEvery ?? 8;
  if (!Number.isInteger(s) || s < 2) throw new ArgumentError("splitEvery", "a whole number >= 2", s, where);
  return s;
}

/** reduce() computed in float64 (operands read as float64); reduce() gives the result its dtype. */
function reduceF64(kind: ReductionKind, x: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
  if (!(x instanceof ChunkedArray)) throw new ArgumentError("x", "a ChunkedArray", x, kind);
  const ax = checkAxis(x, axis, kind);
  const splitEvery = checkSplitEvery(options, kind);
  if (ax === undefined || x.ndim <= 1) {
    if (x.size === 0 && kind !== "sum") {
      throw new ArgumentError("x", `a non-empty array (${kind} of nothing has no value)`, `shape ${describeShape(x.shape)}`, kind);
    }
    if (x.ndim === 0) return x;
    const partial = new BlockwiseLayer(CHUNK_OP[kind], [x.layer]);
    const total = new TreeReductionLayer(COMBINE_OP[kind], partial, splitEvery);
    return new ChunkedArray(total, [], [], { runtime: x.runtime });
  }
  return reduceAxis(kind, x, ax, splitEvery, options?.keepdims === true);
}

/** A 2-D array reduced along axis 0 (one value per column) or 1 (one value per row). */
function reduceAxis(kind: ReductionKind, x: ChunkedArray, axis: number, splitEvery: number, keepdims: boolean): ChunkedArray {
  if (kind !== "sum" && x.shape[axis] === 0) {
    throw new ArgumentError("x", `an array with values along axis ${axis}`, `shape ${describeShape(x.shape)}`, kind);
  }
  const g = x.chunkGrid;
  // float32 chunks are read as stored, widened a block at a time inside the op
  const f32 = x.dtype === "float32";
  const source = f32 ? x.storageLayer : x.layer;
  const partials = new BlockwiseLayer(
    "reduceAxis",
    [{ literal: kind }, source, { perChunk: g.rows }, { perChunk: g.cols }, { literal: axis }, ...(f32 ? [{ literal: 4 }] : [])],
    { name: uniqueName(`${kind}-axis${axis}`), bytes: g.vectorBytes(8, axis === 0) },
  );
  const n = x.shape[1 - axis]!;
  const shape = keepdims ? (axis === 0 ? [1, n] : [n, 1]) : [n];
  const chunks = g.vectorChunks(axis === 0 ? (keepdims ? "colsKept" : "cols") : keepdims ? "rowsKept" : "rows");
  const groups = axis === 0 ? { count: g.gc, members: g.byColumn } : { count: g.gr, members: g.byRow };
  const layer = combineGroups(kind, partials, groups, g.lengthBytes(axis === 0 ? "cols" : "rows", 8), splitEvery);
  return new ChunkedArray(layer, shape, chunks, { runtime: x.runtime });
}

/**
 * Vector partials combined per group (group g: the members table's g-th run; its vectors as
 * long as the result's chunk g, `bytes.at(g)` bytes), at most `splitEvery` per task.
 */
export function combineGroups(
  kind: ReductionKind,
  below: Layer,
  groups: { count: number; members: ChunkTable },
  bytes: ChunkTable,
  splitEvery: number,
): Layer {
  return new TreeReductionLayer("combineVectors", below, splitEvery, {
    name: uniqueName(kind),
    groups,
    args: [kind],
    bytes,
    single: "identity",
  });
}

/** mean() computed in float64 (operands read as float64); mean() gives the result its dtype. */
function meanF64(x: ChunkedArray, axis?: number, options?: ReduceOptions, where = "mean"): ChunkedArray {
  if (!(x instanceof ChunkedArray)) throw new ArgumentError("x", "a ChunkedArray", x, where);
  const ax = checkAxis(x, axis, where);
  const count = ax === undefined || x.ndim <= 1 ? x.size : x.shape[ax]!;
  // NumPy gives NaN (with a warning) for the mean of nothing: refused here, as min and max are
  if (count === 0)
    throw new ArgumentError("x", `values to average (${where} of nothing has no value)`, `shape ${describeShape(x.shape)}`, where);
  return binaryF64("mul", reduceF64("sum", x, axis, options), 1 / count);
}

/** variance() computed in float64 (operands read as float64); variance() gives the result its dtype. */
function varianceF64(x: ChunkedArray, axis?: number, options?: ReduceOptions & { ddof?: number }, where = "var"): ChunkedArray {
  if (!(x instanceof ChunkedArray)) throw new ArgumentError("x", "a ChunkedArray", x, where);
  options = checkOptions(options, where, ["splitEvery", "keepdims", "ddof"]);
  const ax = checkAxis(x, axis, where);
  const count = ax === undefined || x.ndim <= 1 ? x.size : x.shape[ax]!;
  if (count === 0) throw new ArgumentError("x", `values (${where} of nothing has no value)`, `shape ${describeShape(x.shape)}`, where);
  const ddof = options.ddof ?? 0;
  // n - ddof <= 0 divides by zero or less: NumPy's inf or nan, refused here
  if (!Number.isInteger(ddof) || ddof < 0 || ddof >= count)
    throw new ArgumentError("ddof", `a whole number >= 0 and below the ${count} values reduced`, ddof, where);
  const m = meanF64(x, axis, { ...options, keepdims: true }, where);
  const d = binaryF64("sub", x, m);
  return binaryF64("mul", reduceF64("sum", binaryF64("mul", d, d), axis, { ...options, keepdims: options.keepdims }), 1 / (count - ddof));
}

// ---- the public forms: a float32 array's reductions along an axis are float32 ----

/** A reduction over everything (a 0-D array) or along one axis, as a tree of partial results. */
export function reduce(kind: ReductionKind, x: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
  const result = reduceF64(kind, x, axis, options);
  return withDType(result, x.dtype);
}

/** The mean over everything or along an axis. */
export function mean(x: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
  const result = meanF64(x, axis, options);
  return withDType(result, x.dtype);
}

/** The standard deviation: the square root of the variance (one operation: float32 rounds once). */
export function std(x: ChunkedArray, axis?: number, options?: ReduceOptions & { ddof?: number }): ChunkedArray {
  const result = unaryF64("sqrt", varianceF64(x, axis, options, "std"));
  return withDType(result, x.dtype);
}

/** The variance, E[(x - mean)^2] * n / (n - ddof), in two passes over x. */
export function variance(x: ChunkedArray, axis?: number, options?: ReduceOptions & { ddof?: number }): ChunkedArray {
  const result = varianceF64(x, axis, options);
  return withDType(result, x.dtype);
}
