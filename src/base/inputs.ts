/**
 * The one check of what estimators and transformers are given: a matrix (rows of numbers, a flat
 * array and its shape, or a ChunkedArray) and a vector (a list of numbers, a Float64Array or a
 * 1-D ChunkedArray) made into the arrays they compute on, and a runtime option. Each failure is
 * an ArgumentError naming the argument (X, X[3], X.shape, y) and the caller (`where`).
 */
import { ArgumentError, describe } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { getDefaultRuntime, Runtime } from "../runtime/runtime.js";

/** What fit() and predict() accept: a weft array, rows of numbers, or a flat array and its shape. */
export type MatrixLike =
  | ChunkedArray
  | readonly (readonly number[])[]
  | { data: Float64Array | readonly number[]; shape: [number, number] };
/** A vector a GLM accepts: a 1-D ChunkedArray, a number[] or a Float64Array. */
export type VectorLike = ChunkedArray | readonly number[] | Float64Array;

/** The index of the first entry that is not a number (NaN and infinities are numbers: checked later, by row), else -1. */
function firstNonNumber(values: ArrayLike<unknown>): number {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== "number") return i;
  return -1;
}

/** Rows of numbers as one flat Float64Array, each row as long as the first. */
function fromRows(X: readonly unknown[], where: string): { data: Float64Array; rows: number; cols: number } {
  const rows = X.length;
  // a flat list of numbers is not rows: say so, rather than "a row of undefined numbers"
  if (rows > 0 && !Array.isArray(X[0]))
    throw new ArgumentError(
      "X",
      "an array of rows (arrays of numbers), a ChunkedArray, or { data, shape: [rows, cols] }",
      `X[0] = ${describe(X[0])}`,
      where,
    );
  const cols = rows > 0 ? (X[0] as readonly number[]).length : 0;
  const data = new Float64Array(rows * cols);
  X.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== cols) throw new ArgumentError(`X[${i}]`, `a row of ${cols} numbers like X[0]`, r, where);
    // a string would become a number (or NaN) in silence
    const j = firstNonNumber(r);
    if (j >= 0) throw new ArgumentError(`X[${i}]`, "a row of numbers", `${describe(r[j])} at column ${j}`, where);
    data.set(r, i * cols);
  });
  return { data, rows, cols };
}

/** A flat array of numbers and its shape [rows, cols], checked against each other. */
function fromFlat(X: { data: unknown; shape: unknown }, where: string): { data: Float64Array; rows: number; cols: number } {
  const shape = X.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ArgumentError("X.shape", "[rows, cols]: two whole numbers >= 0", shape, where);
  }
  const [rows, cols] = shape as [number, number];
  const given = X.data;
  let data: Float64Array;
  if (given instanceof Float64Array) data = given;
  // not Float64Array.from on anything: a string of digits would be read digit by digit, "1234" as 1, 2, 3, 4
  else if (!Array.isArray(given)) throw new ArgumentError("X.data", "a Float64Array or an array of numbers", given, where);
  else {
    const i = firstNonNumber(given);
    if (i >= 0) throw new ArgumentError("X.data", "a Float64Array or an array of numbers", `${describe(given[i])} at index ${i}`, where);
    data = Float64Array.from(given as number[]);
  }
  if (data.length !== rows * cols)
    throw new ArgumentError("X", `data of shape [${rows}, ${cols}] (${rows * cols} values)`, `${data.length} values`, where);
  return { data, rows, cols };
}

/**
 * X as a ChunkedArray: a ChunkedArray as it is, JS data copied into chunks of `chunkRows` rows
 * (default: the rows split in 2 x threads chunks). At least one row and one column.
 */
export function toMatrix(X: MatrixLike, where: string, chunking: { chunkRows?: number; threads: number }): ChunkedArray {
  if (X instanceof ChunkedArray) return X;
  let matrix: { data: Float64Array; rows: number; cols: number };
  if (Array.isArray(X)) matrix = fromRows(X, where);
  else if (typeof X === "object" && X !== null && "data" in X && "shape" in X) matrix = fromFlat(X, where);
  else throw new ArgumentError("X", "a ChunkedArray, an array of rows, or { data, shape: [rows, cols] }", X, where);
  const { data, rows, cols } = matrix;
  if (cols === 0) throw new ArgumentError("X", "at least one column (feature)", "0 columns", where);
  if (rows === 0) throw new ArgumentError("X", "at least one row", "0 rows", where);
  const chunk = chunking.chunkRows ?? Math.max(1, Math.ceil(rows / (2 * chunking.threads)));
  return fromTypedArray(data, { shape: [rows, cols], chunks: [chunk, cols] });
}

/** X for a transformer: a 2-D ChunkedArray (rows x features), nothing else. */
export function checkMatrix(X: unknown, where: string): ChunkedArray {
  if (!(X instanceof ChunkedArray) || X.ndim !== 2)
    throw new ArgumentError(
      "X",
      "a 2-D ChunkedArray (rows x features)",
      X instanceof ChunkedArray ? `shape [${X.shape.join(", ")}]` : X,
      where,
    );
  return X;
}

/** y as one of VectorLike's kinds: a list's entries numbers (a string would become a number, or NaN, in silence). */
function checkVector(y: unknown, name: string, where: string): VectorLike {
  if (y instanceof ChunkedArray || y instanceof Float64Array) return y;
  if (Array.isArray(y)) {
    const i = firstNonNumber(y);
    if (i >= 0) throw new ArgumentError(name, "an array of numbers", `${describe(y[i])} at index ${i}`, where);
    return y;
  }
  throw new ArgumentError(name, "a ChunkedArray, an array of numbers or a Float64Array", y, where);
}

/** y as a ChunkedArray (its length and values are the fit's to check, against X and the family). */
export function toVector(y: VectorLike, name: string, where: string): ChunkedArray {
  const vector = checkVector(y, name, where);
  return vector instanceof ChunkedArray ? vector : fromTypedArray(vector as number[] | Float64Array);
}

/**
 * y's values (or another vector's, named `name` in errors: sampleWeight), one per row of X
 * (`rows`), computed on `runtime` (default: the default runtime) when y is a ChunkedArray.
 */
export async function vectorValues(
  y: VectorLike,
  rows: number,
  runtime: Runtime | undefined,
  where: string,
  name = "y",
): Promise<Float64Array> {
  const vector = checkVector(y, name, where);
  let values: Float64Array;
  if (vector instanceof ChunkedArray) {
    if (vector.ndim !== 1)
      throw new ArgumentError(name, `a 1-D array of ${rows} values (one per row of X)`, `shape [${vector.shape.join(", ")}]`, where);
    values = (await vector.astype("float64").compute({ runtime: runtime ?? (await getDefaultRuntime()) })) as Float64Array;
  } else {
    values = Float64Array.from(vector);
  }
  if (values.length !== rows) throw new ArgumentError(name, `${rows} values (one per row of X)`, `${values.length} values`, where);
  return values;
}

/** A runtime option: a Runtime, or nothing for the default one (a wrong one would fail deep in a fit, blaming the chunks). */
export function checkRuntime(runtime: unknown, where: string): Runtime | undefined {
  if (runtime !== undefined && !(runtime instanceof Runtime))
    throw new ArgumentError("runtime", "a Runtime (from Runtime.start)", runtime, where);
  return runtime;
}
