/**
 * ChunkedArray's methods with NumPy's names: elementwise math, reductions, linear algebra,
 * layout and astype, each a call of the operation module that builds its layer. They are
 * declared on ChunkedArray (the interface merged below) and installed on its prototype when this
 * module loads: create.ts, where every array starts, imports it, as does the layer's index.
 * Kept apart from array.ts so that the operation modules can build on the array without the
 * array importing them back.
 */
import { ChunkedArray, type Operand, type ReduceOptions } from "./array.js";
import { toArrow, type ArrowTableLike, type ToArrowOptions } from "./arrow.js";
import { withDType } from "./cast.js";
import type { ChunksSpec } from "./chunks.js";
import { checkDType, type DType } from "./dtype.js";
import { binary, unary } from "./elementwise.js";
import { rechunk, rowRange, takeColumns, transpose } from "./layout.js";
import { gram, matmul } from "./linalg.js";
import { mean, reduce, std, variance } from "./reduce.js";

/** The methods (their `this` is the array). */
class ArrayMethods {
  /**
   * The array with values of `dtype`: float32 rounds each value to nearest (overflowing to
   * infinity), float64 widens exactly. The same array when it already has that dtype.
   */
  astype(this: ChunkedArray, dtype: DType): ChunkedArray {
    return withDType(this, checkDType(dtype, "dtype", "astype"));
  }

  // ---- elementwise ----

  add(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("add", this, other);
  }
  sub(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("sub", this, other);
  }
  mul(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("mul", this, other);
  }
  div(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("div", this, other);
  }
  pow(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("pow", this, other);
  }
  minimum(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("min", this, other);
  }
  maximum(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("max", this, other);
  }
  lt(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("lt", this, other);
  }
  le(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("le", this, other);
  }
  gt(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("gt", this, other);
  }
  ge(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("ge", this, other);
  }
  eq(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("eq", this, other);
  }
  ne(this: ChunkedArray, other: Operand): ChunkedArray {
    return binary("ne", this, other);
  }
  neg(this: ChunkedArray): ChunkedArray {
    return unary("neg", this);
  }
  abs(this: ChunkedArray): ChunkedArray {
    return unary("abs", this);
  }
  exp(this: ChunkedArray): ChunkedArray {
    return unary("exp", this);
  }
  log(this: ChunkedArray): ChunkedArray {
    return unary("log", this);
  }
  log1p(this: ChunkedArray): ChunkedArray {
    return unary("log1p", this);
  }
  expm1(this: ChunkedArray): ChunkedArray {
    return unary("expm1", this);
  }
  sqrt(this: ChunkedArray): ChunkedArray {
    return unary("sqrt", this);
  }
  reciprocal(this: ChunkedArray): ChunkedArray {
    return unary("reciprocal", this);
  }
  square(this: ChunkedArray): ChunkedArray {
    return unary("square", this);
  }
  sigmoid(this: ChunkedArray): ChunkedArray {
    return unary("sigmoid", this);
  }
  tanh(this: ChunkedArray): ChunkedArray {
    return unary("tanh", this);
  }

  // ---- reductions ----

  sum(this: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
    return reduce("sum", this, axis, options);
  }
  min(this: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
    return reduce("min", this, axis, options);
  }
  max(this: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
    return reduce("max", this, axis, options);
  }
  mean(this: ChunkedArray, axis?: number, options?: ReduceOptions): ChunkedArray {
    return mean(this, axis, options);
  }
  /** Variance (population, ddof = 0, unless given): two passes, mean then squared deviations. */
  var(this: ChunkedArray, axis?: number, options?: ReduceOptions & { ddof?: number }): ChunkedArray {
    return variance(this, axis, options);
  }
  std(this: ChunkedArray, axis?: number, options?: ReduceOptions & { ddof?: number }): ChunkedArray {
    return std(this, axis, options);
  }

  // ---- linear algebra ----

  /** The transpose, as a view: X.T.matmul(r) runs gemvT on X's chunks without moving them. */
  get T(): ChunkedArray {
    return transpose(this as unknown as ChunkedArray);
  }
  matmul(this: ChunkedArray, other: ChunkedArray): ChunkedArray {
    return matmul(this, other);
  }
  dot(this: ChunkedArray, other: ChunkedArray): ChunkedArray {
    return matmul(this, other);
  }
  /** X^T X, or X^T diag(d) X when d (one weight per row) is given: cols x cols, one chunk. */
  gram(this: ChunkedArray, d?: ChunkedArray): ChunkedArray {
    return gram(this, d);
  }

  // ---- layout ----

  /** Rows [start, end) (a 1-D array: elements). */
  rows(this: ChunkedArray, start: number, end?: number): ChunkedArray {
    return rowRange(this, start, end ?? this.shape[0]!);
  }
  /** The columns at `indices`, in that order. */
  columns(this: ChunkedArray, indices: readonly number[]): ChunkedArray {
    return takeColumns(this, indices);
  }
  rechunk(this: ChunkedArray, chunks: ChunksSpec): ChunkedArray {
    return rechunk(this, chunks);
  }

  // ---- out ----

  /**
   * Computes the array into an Arrow Table (apache-arrow's, which must be installed): a column
   * per column, named by `options.names` or "0", "1", ... (see `array.toArrow`).
   */
  toArrow(this: ChunkedArray, options?: ToArrowOptions): Promise<ArrowTableLike> {
    return toArrow(this, options);
  }
}

declare module "./array.js" {
  // every ChunkedArray has ArrayMethods' methods (installed below)
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ChunkedArray extends ArrayMethods {}
}

for (const name of Object.getOwnPropertyNames(ArrayMethods.prototype)) {
  if (name === "constructor") continue;
  Object.defineProperty(ChunkedArray.prototype, name, Object.getOwnPropertyDescriptor(ArrayMethods.prototype, name)!);
}
