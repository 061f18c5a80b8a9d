/**
 * CSV in and out. Reading streams the file through csv-parse (a well-kept streaming parser) and
 * keeps only numbers: a header row names the columns (or columns are numbered), `features`
 * selects and orders the predictors, `target` names the response, and the missing-value policy
 * says what an empty or NA cell means. Errors name the line and the column.
 */
import { parse } from "csv-parse";
import { ArgumentError } from "../errors.js";
import type { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType, type DType } from "../array/dtype.js";
import { pipeline } from "node:stream";
import { openSource, writeFileAtomic, type Source, type StorageOptions } from "./storage.js";

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
}

const MISSING = new Set(["", "na", "nan", "null", "n/a"]);

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
export async function readCsv(location: string | URL | Source, options: CsvOptions = {}): Promise<Table> {
  const source = typeof location === "object" && "read" in location ? location : openSource(location, options.storage);
  const where = `CSV file ${source.url}`;
  const delimiter = options.delimiter ?? (/\.tsv$/i.test(source.url) ? "\t" : ",");
  const missing = options.missing ?? "error";
  const dtype = checkDType(options.dtype ?? "float64", "dtype", "readCsv");
  if (options.chunkRows !== undefined && (!Number.isInteger(options.chunkRows) || options.chunkRows < 1)) {
    throw new ArgumentError("chunkRows", "a whole number >= 1", options.chunkRows, "readCsv"); // before the file is read
  }
  if (missing !== "error" && missing !== "drop" && typeof missing !== "number") {
    throw new ArgumentError("missing", "'error', 'drop' or a number", missing, "readCsv");
  }
  const header = options.header !== false;
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
  let rows = 0;
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line += 1;
      if (!names) {
        names = header ? record.map((s) => s) : record.map((_, i) => String(i));
        const duplicate = names.find((n, i) => names!.indexOf(n) !== i);
        if (duplicate !== undefined) throw new CsvError("header", "distinct column names", `"${duplicate}" twice`, where);
        if (options.target !== undefined) {
          targetIndex = names.indexOf(options.target);
          if (targetIndex < 0) throw new CsvError("target", `a column of the file (${names.join(", ")})`, options.target, where);
        }
        const wanted = options.features ?? names.filter((_, i) => i !== targetIndex);
        featureIndex = wanted.map((f) => {
          const i = names!.indexOf(f);
          if (i < 0) throw new CsvError("features", `columns of the file (${names!.join(", ")})`, f, where);
          if (i === targetIndex) throw new CsvError("features", "columns other than the target", f, where);
          return i;
        });
        if (header) continue;
      }
      if (record.length !== names.length) {
        throw new CsvError("row", `${names.length} fields like the header`, `${record.length} fields on line ${line}`, where);
      }
      const values: number[] = [];
      let drop = false;
      for (const i of targetIndex >= 0 ? [...featureIndex, targetIndex] : featureIndex) {
        const cell = record[i]!;
        let v = Number(cell);
        if (cell === "" || Number.isNaN(v)) {
          if (!MISSING.has(cell.toLowerCase())) {
            throw new CsvError("cell", "a number", `'${cell.slice(0, 20)}' on line ${line}, column ${names[i]}`, where);
          }
          if (missing === "error") throw new CsvError("cell", "a number (or choose a missing-value policy: --missing drop or a fill value)", `a missing value on line ${line}, column ${names[i]}`, where);
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
      rows += 1;
      if (rows % 65536 === 0) options.onProgress?.(rows);
    }
  } catch (error) {
    if (error instanceof ArgumentError) throw error;
    throw new CsvError("file", "well-formed CSV", `${(error as Error).message}`, where);
  }
  if (!names) throw new CsvError("file", "a header and rows", "an empty file", where);
  if (rows === 0) throw new CsvError("file", "at least one row of data", "no rows", where);
  const p = featureIndex.length;
  const chunkRows = options.chunkRows ?? Math.max(1, Math.floor((64 << 20) / 8 / Math.max(p, 1)));
  const features = featureIndex.map((i) => names![i]!);
  return {
    X: fromTypedArray(X.values(), { shape: [rows, p], chunks: [chunkRows, p], dtype }),
    y: targetIndex >= 0 ? fromTypedArray(y.values(), { chunks: chunkRows }) : undefined,
    features,
    rows,
  };
}

/** Writes columns of numbers as a CSV file with a header row, atomically. */
export async function writeCsv(path: string, columns: Readonly<Record<string, ArrayLike<number>>>): Promise<void> {
  const names = Object.keys(columns);
  if (names.length === 0) throw new ArgumentError("columns", "at least one column", columns, "writeCsv");
  const n = columns[names[0]!]!.length;
  for (const name of names) {
    if (columns[name]!.length !== n) throw new ArgumentError("columns", `columns of one length (${n})`, `${name} with ${columns[name]!.length}`, "writeCsv");
  }
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [names.map(quote).join(",")];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => String(columns[c]![i])).join(","));
  await writeFileAtomic(path, lines.join("\n") + "\n");
}
