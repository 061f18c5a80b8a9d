/**
 * CSV in and out. Reading streams the file through csv-parse (a well-kept streaming parser) and
 * keeps only numbers: a header row names the columns (or columns are numbered), `features`
 * selects and orders the predictors, `target` names the response, and the missing-value policy
 * says what an empty or NA cell means. Errors name the line and the column.
 */
import { parse } from "csv-parse";
import { ArgumentError, describe } from "../errors.js";
import type { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType, type DType } from "../array/dtype.js";
import { checkBoolean, checkFunction, checkInteger, checkOptions, checkString } from "../validate.js";
import { pipeline } from "../platform/streams.js";
import { checkPath, sourceOf, storageOptions, writeFileAtomic, type DataLocation, type StorageOptions } from "./storage.js";

/** A malformed CSV file: the message names the line and column. */
export class CsvError extends ArgumentError {}

/**
 * Options of `readCsv` and `readTable`: header, delimiter, feature and target columns, the
 * missing-value policy, chunk rows and progress.
 */
export interface CsvOptions {
  /** Network timeouts and retries when reading from a URL (see StorageOptions). */
  storage?: StorageOptions;
  /** The first row names the columns (default true). Without it columns are named 0, 1, ... */
  header?: boolean;
  /** Default: comma, or tab for a .tsv file. */
  delimiter?: string;
  /** The columns to read as features, in this order (default: every column but the target). */
  features?: readonly string[];
  /** The response column. */
  target?: string;
  /**
   * A column read as text and handed back as `Table.ids`, one per row read: a row's identifier,
   * which predictions carry through so they line up with the input when rows are dropped.
   */
  id?: string;
  /** An empty, NA or NaN cell: "error" (default), "drop" the row, or a number to put there. */
  missing?: "error" | "drop" | number;
  /** Rows per chunk of the arrays made (default: about 64 MiB of values per chunk). */
  chunkRows?: number;
  /** The features' dtype: 'float64' (default) or 'float32' (half the memory; y stays float64). */
  dtype?: DType;
  onProgress?: (rowsRead: number) => void;
}

/**
 * A table read from a file: the features as a 2-D array X, the target column y (when named), the
 * feature names and the row count.
 */
export interface Table {
  /** Features: rows x features. */
  X: ChunkedArray;
  /** The target column, when one was named. */
  y: ChunkedArray | undefined;
  features: string[];
  rows: number;
  /** With the `id` option: that column's cells as text, one per row read. */
  ids?: string[];
  /**
   * With `missing: "drop"`: each row's 0-based index among the file's data rows (the header not
   * counted, as pandas numbers them), so that what is computed from the rows kept can be matched
   * to the input.
   */
  rowNumbers?: Float64Array;
}

const MISSING = new Set(["", "na", "nan", "null", "n/a"]);

/** The options a CsvOptions object may hold (readCsv and readTable refuse any other). */
export const CSV_OPTIONS: readonly (keyof CsvOptions)[] = [
  "storage",
  "header",
  "delimiter",
  "features",
  "target",
  "id",
  "missing",
  "chunkRows",
  "dtype",
  "onProgress",
];

/**
 * A number written in decimal ("12", "-0.5", "1e-3", ".5"), or +-Infinity; anything else is NaN.
 * Number() alone would also take "0x10", "0b1" and "0o7" (16, 1, 7): a file or a command line
 * that says 0x10 means text, not sixteen.
 */
export function parseDecimal(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?Infinity$/.test(text) ? Number(text) : NaN;
}

/**
 * A list of column names (`features`): an array of distinct strings, at least one. A string is
 * refused, not spread into its letters; an empty list would make an array of no columns.
 */
export function checkColumns(value: unknown, name: string, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((f) => typeof f !== "string")) {
    throw new ArgumentError(name, "a non-empty array of column names (strings)", value, where);
  }
  const duplicate = value.find((f, i) => value.indexOf(f) !== i);
  if (duplicate !== undefined) throw new ArgumentError(name, "distinct column names", `"${duplicate}" twice`, where);
  return [...(value as string[])];
}

/**
 * The columns a reader of a named-column format reads, checked against the file's `names`:
 * `features` (default every column but the target), none of them the target, at least one; the
 * target and the id (when asked) columns of the file. Errors are `Err`s (the format's), naming the
 * option and listing the file's columns.
 */
export function resolveColumns(
  names: readonly string[],
  asked: { features: readonly string[] | undefined; target: string | undefined; id?: string | undefined },
  Err: new (name: string, expected: string, received: unknown, where: string) => ArgumentError,
  where: string,
): string[] {
  const { target, id } = asked;
  const all = names.join(", ");
  if (target !== undefined && !names.includes(target)) throw new Err("target", `a column of the file (${all})`, target, where);
  const features = asked.features ? [...asked.features] : names.filter((n) => n !== target);
  for (const f of features) {
    if (!names.includes(f)) throw new Err("features", `columns of the file (${all})`, f, where);
    if (f === target) throw new Err("features", "columns other than the target", f, where);
  }
  if (features.length === 0) throw new Err("features", "at least one column besides the target", `the columns ${all}`, where);
  if (id !== undefined && !names.includes(id)) throw new Err("id", `a column of the file (${all})`, id, where);
  return features;
}

/** The missing-value policy: 'error', 'drop' or a finite fill value (NaN would fill in nothing). */
function checkMissing(value: unknown, where: string): "error" | "drop" | number {
  if (value === undefined) return "error";
  if (value === "error" || value === "drop" || (typeof value === "number" && Number.isFinite(value))) return value;
  throw new ArgumentError("missing", "'error', 'drop' or a finite number", value, where);
}

/**
 * CsvOptions checked whole before any byte is read (readTable checks them alike for every
 * format): the known keys, each of its type.
 */
export function checkCsvOptions(
  options: CsvOptions | undefined,
  where: string,
): CsvOptions & { missing: "error" | "drop" | number; dtype: DType; features?: string[] } {
  const o = checkOptions(options, where, CSV_OPTIONS);
  storageOptions(o.storage);
  checkBoolean(o.header, "header", where);
  // csv-parse refuses '' itself, but as its own error; a quote or a line break as the delimiter
  // would read as nonsense
  checkString(o.delimiter, "delimiter", where);
  checkString(o.id, "id", where);
  if (o.delimiter !== undefined && /["\r\n]/.test(o.delimiter))
    throw new ArgumentError("delimiter", "a string without quotes or line breaks", o.delimiter, where);
  checkInteger(o.chunkRows, "chunkRows", where, 1);
  checkFunction(o.onProgress, "onProgress", where);
  return {
    ...o,
    features: checkColumns(o.features, "features", where),
    missing: checkMissing(o.missing, where),
    dtype: checkDType(o.dtype ?? "float64", "dtype", where),
  };
}

/** A growable Float64Array. */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Reads the numbers of a CSV file (path or URL) into arrays. */
export async function readCsv(location: DataLocation, options?: CsvOptions): Promise<Table> {
  const o = checkCsvOptions(options, "readCsv"); // before the file is read
  const { missing, dtype } = o;
  const source = sourceOf(location, o.storage);
  const where = `CSV file ${source.url}`;
  const delimiter = o.delimiter ?? (/\.tsv$/i.test(source.url) ? "\t" : ",");
  const header = o.header !== false;
  const parser = parse({ delimiter, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true });
  // pipeline, not pipe(): pipe() does not forward the source's errors, which then kill the
  // process as an unhandled 'error' event while the parser waits forever; pipeline destroys the
  // parser with them, and the loop below rejects with a StorageError naming the source
  pipeline(await source.stream(), parser, () => {});
  let names: string[] | undefined;
  let featureIndex: number[] = [];
  let targetIndex = -1;
  const X = new Column();
  const y = new Column();
  const rowNumbers = new Column();
  const ids: string[] = [];
  let idIndex = -1;
  let rows = 0;
  let dataRow = -1;
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line += 1;
      if (!names) {
        names = header ? record.map((s) => s) : record.map((_, i) => String(i));
        const duplicate = names.find((n, i) => names!.indexOf(n) !== i);
        if (duplicate !== undefined) throw new CsvError("header", "distinct column names", `"${duplicate}" twice`, where);
        if (o.target !== undefined) {
          targetIndex = names.indexOf(o.target);
          if (targetIndex < 0) throw new CsvError("target", `a column of the file (${names.join(", ")})`, o.target, where);
        }
        const wanted = o.features ?? names.filter((_, i) => i !== targetIndex);
        featureIndex = wanted.map((f) => {
          const i = names!.indexOf(f);
          if (i < 0) throw new CsvError("features", `columns of the file (${names!.join(", ")})`, f, where);
          if (i === targetIndex) throw new CsvError("features", "columns other than the target", f, where);
          return i;
        });
        if (featureIndex.length === 0)
          throw new CsvError("features", "at least one column besides the target", `the columns ${names.join(", ")}`, where);
        if (o.id !== undefined) {
          idIndex = names.indexOf(o.id);
          if (idIndex < 0) throw new CsvError("id", `a column of the file (${names.join(", ")})`, o.id, where);
        }
        if (header) continue;
      }
      if (record.length !== names.length) {
        throw new CsvError("row", `${names.length} fields like the header`, `${record.length} fields on line ${line}`, where);
      }
      dataRow += 1;
      const values: number[] = [];
      let drop = false;
      for (const i of targetIndex >= 0 ? [...featureIndex, targetIndex] : featureIndex) {
        const cell = record[i]!;
        let v = parseDecimal(cell);
        if (cell === "" || Number.isNaN(v)) {
          if (!MISSING.has(cell.toLowerCase())) {
            throw new CsvError("cell", "a number", `'${cell.slice(0, 20)}' on line ${line}, column ${names[i]}`, where);
          }
          if (missing === "error")
            throw new CsvError(
              "cell",
              "a number (or choose a missing-value policy: --missing drop or a fill value)",
              `a missing value on line ${line}, column ${names[i]}`,
              where,
            );
          if (missing === "drop") {
            drop = true;
            break;
          }
          v = missing;
        }
        values.push(v);
      }
      if (drop) continue;
      for (let k = 0; k < featureIndex.length; k++) X.push(values[k]!);
      if (targetIndex >= 0) y.push(values[featureIndex.length]!);
      if (idIndex >= 0) ids.push(record[idIndex]!);
      if (missing === "drop") rowNumbers.push(dataRow);
      rows += 1;
      if (rows % 65536 === 0) o.onProgress?.(rows);
    }
  } catch (error) {
    if (error instanceof ArgumentError) throw error;
    throw new CsvError("file", "well-formed CSV", `${(error as Error).message}`, where);
  }
  if (!names) throw new CsvError("file", "a header and rows", "an empty file", where);
  if (rows === 0) throw new CsvError("file", "at least one row of data", "no rows", where);
  const p = featureIndex.length;
  const chunkRows = o.chunkRows ?? Math.max(1, Math.floor((64 << 20) / 8 / Math.max(p, 1)));
  const features = featureIndex.map((i) => names![i]!);
  return {
    X: fromTypedArray(X.values(), { shape: [rows, p], chunks: [chunkRows, p], dtype }),
    y: targetIndex >= 0 ? fromTypedArray(y.values(), { chunks: chunkRows }) : undefined,
    features,
    rows,
    ...(idIndex >= 0 ? { ids } : {}),
    ...(missing === "drop" ? { rowNumbers: rowNumbers.values() } : {}),
  };
}

/**
 * A field as RFC 4180 writes it: quoted, its quotes doubled, when it holds a delimiter, a quote or
 * a line break (or spaces at an end, which a reader that trims, as readCsv does, would lose).
 */
export function quoteField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Columns to write: an object of array-likes (an array or a typed array) of numbers, one length.
 * Only numbers are written: a string would be text in a numeric file, and NaN or Infinity come
 * back from readCsv as a missing value and as Infinity.
 */
function checkCsvColumns(columns: unknown): [string, ArrayLike<unknown>][] {
  if (columns === null || typeof columns !== "object" || Array.isArray(columns) || ArrayBuffer.isView(columns)) {
    throw new ArgumentError("columns", "an object of columns ({ name: numbers })", columns, "writeCsv");
  }
  const entries: [string, ArrayLike<unknown>][] = [];
  for (const [name, column] of Object.entries(columns as Record<string, unknown>)) {
    if (!Array.isArray(column) && !(ArrayBuffer.isView(column) && !(column instanceof DataView))) {
      throw new ArgumentError(`columns.${name}`, "an array or a typed array of numbers", column, "writeCsv");
    }
    const values = column as ArrayLike<unknown>;
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== "number")
        throw new ArgumentError(`columns.${name}`, "numbers", `${describe(values[i])} at index ${i}`, "writeCsv");
    }
    entries.push([name, values]);
  }
  if (entries.length === 0) throw new ArgumentError("columns", "at least one column", columns, "writeCsv");
  const n = entries[0]![1].length;
  for (const [name, values] of entries) {
    if (values.length !== n)
      throw new ArgumentError("columns", `columns of one length (${n})`, `${name} with ${values.length}`, "writeCsv");
  }
  return entries;
}

/** Writes columns of numbers as a CSV file with a header row, atomically. */
export async function writeCsv(path: string, columns: Readonly<Record<string, ArrayLike<number>>>): Promise<void> {
  checkPath(path, "writeCsv");
  const entries = checkCsvColumns(columns);
  const n = entries[0]![1].length;
  const lines = [entries.map(([name]) => quoteField(name)).join(",")];
  for (let i = 0; i < n; i++) lines.push(entries.map(([, values]) => String(values[i])).join(","));
  await writeFileAtomic(path, `${lines.join("\n")}\n`);
}
