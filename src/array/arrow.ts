/**
 * Apache Arrow, the in-memory columnar format DuckDB, Polars and parquet-wasm hand out: what weft
 * knows of its objects (read by their shape: weft never imports apache-arrow statically), its
 * errors, the loading of apache-arrow (an optional peer dependency, imported only when a Table is
 * to be made or an IPC file read: a program that does neither loads nothing of it), and
 * `toArrow`, an array computed into an Arrow Table. from-arrow.ts reads Arrow data into arrays.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { checkOptions } from "../validate.js";
import type { ChunkedArray, ComputeArrayOptions } from "./array.js";

/**
 * What weft reads of an Arrow Table or RecordBatch (apache-arrow's, tested with version 21, or
 * anything shaped alike): its row count, its schema's field names and its columns by index.
 */
export interface ArrowTableLike {
  readonly numRows: number;
  readonly schema: { readonly fields: readonly { readonly name: string }[] };
  getChildAt(index: number): unknown;
}

/** Options of `toArrow`: the column names, and how the array is computed. */
export interface ToArrowOptions extends ComputeArrayOptions {
  /** One name per column (a 1-D array is one column). Default: "0", "1", ... */
  names?: readonly string[];
}

/** Arrow data weft cannot read as numbers (a string or date column, a null, a bad object). */
export class ArrowError extends ArgumentError {}

/** apache-arrow, needed for this call, is not installed (it is an optional peer dependency). */
export class ArrowUnavailableError extends WeftError {}

/** The parts of apache-arrow weft calls. */
export interface ArrowModule {
  tableFromArrays(columns: Record<string, Float64Array | Float32Array>): ArrowTableLike;
  tableFromIPC(bytes: Uint8Array): ArrowTableLike;
  /** Decoders of compressed IPC buffers (in the apache-arrow versions that have it). */
  compressionRegistry?: {
    get(type: number): unknown;
    set(type: number, codec: { decode(bytes: Uint8Array): Uint8Array }): void;
  };
}

/**
 * apache-arrow, imported on first need; an ArrowUnavailableError when it is not installed (an
 * optional peer dependency: weft works without it, except for what makes or reads Arrow files).
 */
export async function loadArrow(): Promise<ArrowModule> {
  try {
    return (await import("apache-arrow")) as unknown as ArrowModule;
  } catch (cause) {
    const error = cause as { code?: string; message?: string };
    if ((error?.code === "ERR_MODULE_NOT_FOUND" || error?.code === "MODULE_NOT_FOUND") && /'apache-arrow'/.test(error.message ?? ""))
      throw new ArrowUnavailableError(
        "apache-arrow is not installed: Arrow tables and files need it (npm install apache-arrow); the rest of weft does not",
        { cause },
      );
    throw cause;
  }
}

/**
 * Computes `x` (1-D or 2-D) into an apache-arrow Table: one column per column of x (a 1-D array
 * is one column), float64 (float32 for a float32 array), named by `names` or "0", "1", ...
 * apache-arrow is imported here (an ArrowUnavailableError tells to install it when absent); the
 * result is its Table, typed here by what weft knows of it (cast it to apache-arrow's Table).
 */
export async function toArrow(x: ChunkedArray, options?: ToArrowOptions): Promise<ArrowTableLike> {
  const { names, ...compute } = checkOptions(options, "toArrow", [
    "names",
    "runtime",
    "signal",
    "onProgress",
    "cache",
    "inline",
    "timeoutMs",
  ]);
  if (typeof x !== "object" || x === null || typeof (x as ChunkedArray).toTypedArray !== "function")
    throw new ArgumentError("x", "a ChunkedArray", x, "toArrow");
  if (x.ndim === 0) throw new ArgumentError("x", "a 1-D or 2-D array (a table has columns)", x.toString(), "toArrow");
  const cols = x.ndim === 2 ? x.shape[1]! : 1;
  if (
    names !== undefined &&
    (!Array.isArray(names) || names.length !== cols || names.some((n) => typeof n !== "string") || new Set(names).size !== cols)
  )
    throw new ArgumentError("names", `${cols} distinct column names (strings), one per column`, names, "toArrow");
  const arrow = await loadArrow(); // before the work: a missing package fails at once
  const values = await x.toTypedArray(compute);
  const rows = x.ndim === 2 ? x.shape[0]! : values.length;
  const columns: Record<string, Float64Array | Float32Array> = {};
  for (let j = 0; j < cols; j++) {
    const name = names?.[j] ?? String(j);
    if (cols === 1) {
      columns[name] = values; // a 1-D array (or a single column) is one Arrow buffer as it is
      continue;
    }
    const column = values instanceof Float32Array ? new Float32Array(rows) : new Float64Array(rows);
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + j]!;
    columns[name] = column;
  }
  return arrow.tableFromArrays(columns);
}
