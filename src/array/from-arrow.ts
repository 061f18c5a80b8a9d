/**
 * Arrow data into chunked arrays: `fromArrow` makes an array of numeric columns of an Arrow
 * Table or RecordBatch, read by their shape (duck typing: no import of apache-arrow here).
 *
 * The Arrow buffers are not copied when fromArrow is called: each chunk of the array is filled,
 * when computed, straight from the record batches' buffers into the runtime's memory (the one
 * copy an array of any source has), converting integers, booleans and half floats on the way.
 */
import { ArgumentError, describe } from "../errors.js";
import { InputLayer } from "../graph/layers.js";
import { uniqueName } from "../graph/keys.js";
import { defaultOps, type TaskContext } from "../graph/ops.js";
import type { BufferViews } from "../memory/index.js";
import { checkOptions } from "../validate.js";
import type { ChunkedArray } from "./array.js";
import { ArrowError, type ArrowTableLike } from "./arrow.js";
import { normalizeChunks, type ChunksSpec } from "./chunks.js";
import { fromChunkRule } from "./create.js";
import { checkDType, type DType } from "./dtype.js";

/** Options of `array.fromArrow`. */
export interface FromArrowOptions {
  /**
   * The columns to read: a name gives a 1-D array of that column, a list of names a 2-D array
   * (rows x those columns, in that order, even for a list of one). Default: every column, 2-D.
   */
  columns?: string | readonly string[];
  /**
   * The chunking (as `array.fromTypedArray`'s: rows per chunk, or dask's explicit lengths).
   * Default: the record batches, consecutive small ones merged up to about 64 MiB of values per
   * chunk (a batch is never split).
   */
  chunks?: ChunksSpec;
  /** 'float64' or 'float32'. Default: float32 when every column read is float32, else float64. */
  dtype?: DType;
  /**
   * A null: "error" (default: an ArrowError naming the column and the row), "drop" the rows with
   * a null in any column read, or a number to put there (as readCsv's `missing`). NaN is a value,
   * not a null, in Arrow: it is read as NaN.
   */
  missing?: "error" | "drop" | number;
}

/** How a column's values are stored: numbers, 64-bit integers (bigint), bits, or half floats. */
type Kind = "number" | "bigint" | "bool" | "half";

/** One record batch's part of a column. */
interface Piece {
  readonly kind: Kind;
  /** The values (for bool, the bits), starting at the piece's first row (bits: at bit `offset`). */
  readonly values: ArrayLike<number | bigint>;
  /** The piece's first bit in `values` (bool) and in `nulls`. */
  readonly offset: number;
  readonly length: number;
  /** The validity bits (1: a value), when the piece holds a null. */
  readonly nulls: Uint8Array | undefined;
}

/** A column as fromArrow reads it: its pieces and the table row where each starts. */
interface Column {
  readonly name: string;
  readonly pieces: readonly Piece[];
  readonly starts: readonly number[];
  readonly float32: boolean;
}

/**
 * What an array's chunks are filled from (the one input of its graph): the columns, the table
 * rows kept (when rows with a null are dropped) and the value put for a null.
 */
interface ArrowColumns {
  readonly columns: readonly Column[];
  readonly kept: Float64Array | undefined;
  readonly fill: number;
}

/** Arrow's type ids (apache-arrow's Type enum, fixed by the format). */
const TYPE_INT = 2;
const TYPE_FLOAT = 3;
const TYPE_BOOL = 6;

const isValid = (nulls: Uint8Array, bit: number): boolean => ((nulls[bit >> 3]! >> (bit & 7)) & 1) === 1;

/** A half float's value. */
function halfToNumber(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The Arrow column `name` (at `index`) as pieces, or an ArrowError (from `where`) saying why it is not numeric. */
function readColumn(table: ArrowTableLike, index: number, name: string, where: string): Column {
  const vector = table.getChildAt(index) as { type?: unknown; data?: unknown } | null;
  if (typeof vector !== "object" || vector === null || !Array.isArray(vector.data))
    throw new ArrowError("table", "an Arrow Table or RecordBatch (its columns have data)", `column '${name}': ${describe(vector)}`, where);
  const pieces: Piece[] = [];
  const starts: number[] = [];
  let float32 = true;
  let row = 0;
  for (const data of vector.data as {
    type?: { typeId?: number; precision?: number };
    values?: unknown;
    offset?: number;
    length?: number;
    nullCount?: number;
    nullBitmap?: Uint8Array;
  }[]) {
    const type = data?.type;
    const values = data?.values;
    const typeId = type?.typeId;
    let kind: Kind;
    if (typeId === TYPE_FLOAT) kind = type!.precision === 0 ? "half" : "number";
    else if (typeId === TYPE_INT) kind = values instanceof BigInt64Array || values instanceof BigUint64Array ? "bigint" : "number";
    else if (typeId === TYPE_BOOL) kind = "bool";
    else
      throw new ArrowError(
        "columns",
        "numeric columns (floats, integers or booleans)",
        `column '${name}' of type ${String(vector.type ?? type)}${typeId === -1 ? " (dictionary-encoded: decode it first)" : ""}`,
        where,
      );
    if (!ArrayBuffer.isView(values) || typeof data.length !== "number")
      throw new ArrowError("table", "Arrow data (typed arrays of values)", `column '${name}': ${describe(values)}`, where);
    float32 &&= typeId === TYPE_FLOAT && type!.precision === 1;
    const nullCount = data.nullCount ?? 0;
    pieces.push({
      kind,
      values: values as unknown as ArrayLike<number | bigint>,
      offset: data.offset ?? 0,
      length: data.length,
      nulls: nullCount > 0 ? data.nullBitmap : undefined,
    });
    starts.push(row);
    row += data.length;
  }
  if (row !== table.numRows)
    throw new ArrowError("table", `columns of ${table.numRows} rows (numRows)`, `column '${name}' of ${row} rows`, where);
  return { name, pieces, starts, float32: float32 && pieces.length > 0 };
}

/** The first null of `column`: its table row, or -1. */
function firstNull(column: Column): number {
  for (const [k, p] of column.pieces.entries()) {
    if (!p.nulls) continue;
    for (let i = 0; i < p.length; i++) if (!isValid(p.nulls, p.offset + i)) return column.starts[k]! + i;
  }
  return -1;
}

/** The table rows without a null in any of `columns`, in order. */
function rowsWithoutNulls(columns: readonly Column[], rows: number): Float64Array {
  const keep = new Uint8Array(rows).fill(1);
  for (const column of columns) {
    for (const [k, p] of column.pieces.entries()) {
      if (!p.nulls) continue;
      for (let i = 0; i < p.length; i++) if (!isValid(p.nulls, p.offset + i)) keep[column.starts[k]! + i] = 0;
    }
  }
  const kept = new Float64Array(keep.reduce((a, b) => a + b, 0));
  for (let r = 0, n = 0; r < rows; r++) if (keep[r]) kept[n++] = r;
  return kept;
}

/** Writes `n` values of piece `p` from its row `from` into `out` at `at`, `stride` apart (nulls: `fill`). */
function copyPiece(p: Piece, from: number, n: number, out: Float64Array, at: number, stride: number, fill: number): void {
  const v = p.values;
  if (p.kind === "number") {
    if (stride === 1 && v instanceof Float64Array) out.set(v.subarray(from, from + n), at);
    else for (let i = 0, o = at; i < n; i++, o += stride) out[o] = v[from + i] as number;
  } else if (p.kind === "bigint") {
    for (let i = 0, o = at; i < n; i++, o += stride) out[o] = Number(v[from + i]);
  } else if (p.kind === "bool") {
    const bits = v as Uint8Array;
    for (let i = 0, o = at; i < n; i++, o += stride) {
      const b = p.offset + from + i;
      out[o] = (bits[b >> 3]! >> (b & 7)) & 1;
    }
  } else {
    for (let i = 0, o = at; i < n; i++, o += stride) out[o] = halfToNumber(v[from + i] as number);
  }
  if (p.nulls) for (let i = 0, o = at; i < n; i++, o += stride) if (!isValid(p.nulls, p.offset + from + i)) out[o] = fill;
}

/**
 * The chunk of rows [row0, row0 + rows) and columns [col0, col0 + cols) of `source` (rows
 * counted among the kept ones), row-major in a new buffer: runs on the main thread, where the
 * Arrow buffers are.
 */
function arrowIn(ctx: TaskContext, source: ArrowColumns, row0: number, rows: number, col0: number, cols: number): BufferViews {
  const buffer = ctx.alloc(8 * rows * cols);
  const out = buffer.f64();
  for (let c = 0; c < cols; c++) {
    const { pieces, starts } = source.columns[col0 + c]!;
    let k = 0; // the piece holding the current row: rows only go forward
    if (source.kept === undefined) {
      for (let r = row0; r < row0 + rows; ) {
        while (starts[k]! + pieces[k]!.length <= r) k++;
        const n = Math.min(row0 + rows, starts[k]! + pieces[k]!.length) - r;
        copyPiece(pieces[k]!, r - starts[k]!, n, out, (r - row0) * cols + c, cols, source.fill);
        r += n;
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const row = source.kept[row0 + r]!;
        while (starts[k]! + pieces[k]!.length <= row) k++;
        copyPiece(pieces[k]!, row - starts[k]!, 1, out, r * cols + c, cols, source.fill);
      }
    }
  }
  return buffer;
}
// No module: the Arrow buffers never travel to workers.
defaultOps.register("arrowIn", arrowIn, { context: true });

/** Whether `value` looks like an Arrow Table or RecordBatch. */
function isArrowTable(value: unknown): value is ArrowTableLike {
  const t = value as ArrowTableLike | null;
  return (
    typeof t === "object" &&
    t !== null &&
    Number.isSafeInteger(t.numRows) &&
    Array.isArray(t.schema?.fields) &&
    typeof t.getChildAt === "function"
  );
}

/** The missing-value policy: 'error', 'drop' or a finite fill value (as readCsv's). */
function checkMissing(value: unknown, where: string): "error" | "drop" | number {
  if (value === undefined) return "error";
  if (value === "error" || value === "drop" || (typeof value === "number" && Number.isFinite(value))) return value;
  throw new ArgumentError("missing", "'error', 'drop' or a finite number", value, where);
}

/**
 * The columns `names` of `table` as an ArrowColumns source, nulls handled as `missing` says
 * (refused, their rows dropped, or filled). `where` names the caller (and the file) in errors.
 */
export function arrowColumns(
  table: ArrowTableLike,
  names: readonly string[] | undefined,
  missing: "error" | "drop" | number,
  where: string,
): ArrowColumns {
  if (!isArrowTable(table)) throw new ArgumentError("table", "an Arrow Table or RecordBatch (numRows, schema, getChildAt)", table, where);
  const all = table.schema.fields.map((f) => f.name);
  const wanted = names ?? all;
  if (wanted.length === 0) throw new ArrowError("table", "at least one column", "a table of no columns", where);
  const columns = wanted.map((name) => {
    const index = all.indexOf(name);
    if (index < 0) throw new ArrowError("columns", `columns of the table (${all.join(", ")})`, name, where);
    return readColumn(table, index, name, where);
  });
  if (missing === "error") {
    for (const column of columns) {
      const row = firstNull(column);
      if (row >= 0)
        throw new ArrowError(
          "table",
          "numbers (or choose a missing-value policy: missing: 'drop' or a fill value)",
          `a null in row ${row}, column '${column.name}'`,
          where,
        );
    }
  }
  const kept =
    missing === "drop" && columns.some((c) => c.pieces.some((p) => p.nulls)) ? rowsWithoutNulls(columns, table.numRows) : undefined;
  return { columns, kept, fill: typeof missing === "number" ? missing : 0 };
}

/** The rows of `source` (the kept ones, when rows are dropped). */
const rowCount = (source: ArrowColumns, table: ArrowTableLike): number => source.kept?.length ?? table.numRows;

/**
 * The default chunks along rows: the record batches of the first column, consecutive ones merged
 * while a chunk stays within about 64 MiB of values (`cols` values a row), counted in kept rows.
 */
function batchChunks(source: ArrowColumns, rows: number, cols: number): number[] {
  if (rows === 0) return [0];
  const budget = Math.max(1, Math.floor((64 << 20) / 8 / Math.max(cols, 1)));
  const { pieces, starts } = source.columns[0]!;
  // rows of each batch that are kept
  const lengths = pieces.map((p, k) => {
    if (!source.kept) return p.length;
    const [from, to] = [starts[k]!, starts[k]! + p.length];
    return lowerBound(source.kept, to) - lowerBound(source.kept, from);
  });
  const chunks: number[] = [];
  let current = 0;
  for (const n of lengths) {
    if (n === 0) continue;
    if (current > 0 && current + n > budget) {
      chunks.push(current);
      current = 0;
    }
    current += n;
  }
  if (current > 0) chunks.push(current);
  return chunks;
}

/** The first index of sorted `values` holding at least `x`. */
function lowerBound(values: Float64Array, x: number): number {
  let [lo, hi] = [0, values.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An array over columns [first, first + count) of `source`: 1-D (`oneD`, count 1) or 2-D, of
 * `dtype` (default: float32 when every column is float32), chunked as `chunks` says or by batch.
 */
export function arrowArray(
  source: ArrowColumns,
  table: ArrowTableLike,
  first: number,
  count: number,
  oneD: boolean,
  options: { chunks?: ChunksSpec; dtype?: DType },
  where: string,
): ChunkedArray {
  const rows = rowCount(source, table);
  const view: ArrowColumns = { ...source, columns: source.columns.slice(first, first + count) };
  const shape = oneD ? [rows] : [rows, count];
  const chunks = normalizeChunks(
    shape,
    options.chunks ?? (oneD ? [batchChunks(view, rows, 1)] : [batchChunks(view, rows, count), count]),
    where,
  );
  const dtype = options.dtype ?? (view.columns.every((c) => c.float32) ? "float32" : "float64");
  const input = new InputLayer(uniqueName("arrow"), [view]);
  return fromChunkRule(
    "from-arrow",
    shape,
    chunks,
    "arrowIn",
    (g) =>
      oneD
        ? [input, { perChunk: g.col0 }, { perChunk: g.cols }, { literal: 0 }, { literal: 1 }]
        : [input, { perChunk: g.row0 }, { perChunk: g.rows }, { perChunk: g.col0 }, { perChunk: g.cols }],
    dtype,
  );
}

const FROM_ARROW_OPTIONS = ["columns", "chunks", "dtype", "missing"] as const;

/**
 * A chunked array of numeric columns of an Arrow Table or RecordBatch: `columns: "y"` gives the
 * 1-D array of column y, `columns: ["a", "b"]` the 2-D array rows x [a, b], and no `columns`
 * every column, 2-D. Floats, integers (64-bit ones as the nearest float64) and booleans (0, 1)
 * are read; other types are refused by name. A null is an ArrowError unless `missing` says to drop
 * its row or fill it. The Arrow buffers are read when the array is computed, not copied now: they
 * must not change until then.
 *
 * @example
 * const X = array.fromArrow(table, { columns: ["age", "income"] });  // 2-D
 * const y = array.fromArrow(table, { columns: "bought" });           // 1-D
 */
export function fromArrow(table: ArrowTableLike, options?: FromArrowOptions): ChunkedArray {
  const o = checkOptions(options, "fromArrow", FROM_ARROW_OPTIONS);
  const missing = checkMissing(o.missing, "fromArrow");
  const dtype = o.dtype === undefined ? undefined : checkDType(o.dtype, "dtype", "fromArrow");
  const columns = o.columns;
  const oneD = typeof columns === "string";
  if (columns !== undefined && !oneD && (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== "string")))
    throw new ArgumentError("columns", "a column name, or a non-empty list of them", columns, "fromArrow");
  const names = oneD ? [columns] : (columns as readonly string[] | undefined);
  const duplicate = names?.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new ArgumentError("columns", "distinct column names", `"${duplicate}" twice`, "fromArrow");
  const source = arrowColumns(table, names, missing, "fromArrow");
  return arrowArray(source, table, 0, source.columns.length, oneD, { chunks: o.chunks, dtype }, "fromArrow");
}
