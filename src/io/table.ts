/**
 * One entry for "a data file": the format chosen by the file's extension (.csv, .tsv, .npy,
 * .parquet, .arrow, .arrows, .feather), features and a target named alike. For NPY files, which have no column names,
 * columns are named by their index ("0", "1", ...). The features are float64, or float32 with
 * `dtype: 'float32'` (an NPY file of float32 values gives float32 unless told otherwise).
 */
import { ArgumentError } from "../errors.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType } from "../array/dtype.js";
import { checkCsvOptions, readCsv, type CsvOptions, type Table } from "./csv.js";
import { readNpyHeader, readNpyValues } from "./npy.js";
import { PARQUET_OPTIONS, readParquet } from "./parquet.js";
import { sourceOf } from "./storage.js";
import { ARROW_IPC_OPTIONS, readArrowIpc } from "./arrow-ipc.js";

/** Options of `readTable`: those of `readCsv` (features and target apply to every format). */
export type TableOptions = CsvOptions;

/**
 * Reads a data file chosen by extension (.csv, .tsv, .txt, .npy, .parquet; .arrow, .arrows, .feather
 * and .ipc with apache-arrow installed) from a path or URL into `{ X, y, features, rows }`.
 */
export async function readTable(location: string, options?: TableOptions): Promise<Table> {
  // every option is checked, for every format, before the file is read (the CSV-only ones,
  // header, delimiter and onProgress, are ignored for the others; missing applies to CSV and Arrow)
  const checked = checkCsvOptions(options, "readTable");
  if (typeof location !== "string" || location.length === 0)
    throw new ArgumentError("location", "a path or a URL (a string)", location, "readTable");
  const path = location.replace(/[?#].*$/, "");
  if (/\.(csv|tsv|txt)$/i.test(path)) return readCsv(location, options);
  if (/\.parquet$/i.test(path)) return readParquet(location, pick(checked, PARQUET_OPTIONS));
  // Arrow's own dtype unless one is asked for, as for NPY
  if (/\.(arrow|arrows|feather|ipc)$/i.test(path))
    return readArrowIpc(location, { ...pick(checked, ARROW_IPC_OPTIONS), dtype: options?.dtype });
  if (/\.npy$/i.test(path)) return npyTable(location, await readNpyValues(location, undefined, checked.storage), checked, options);
  throw new ArgumentError("file", "a .csv, .tsv, .npy, .parquet, .arrow, .arrows or .feather file", location, "read");
}

/** Rows [start, end) of part `part` of `partitions` equal ranges of `rows` rows, in order. */
export function partitionRows(rows: number, part: number, partitions: number): [number, number] {
  return [Math.floor((part * rows) / partitions), Math.floor(((part + 1) * rows) / partitions)];
}

/**
 * Part `part` of `partitions` of a data file's rows (equal ranges, in order), as readTable reads
 * the whole: NPY and Parquet files are read for those rows alone (their byte ranges; for Parquet
 * the row groups that hold them), after a look at the header or footer for the row count; CSV and
 * Arrow files, which have no index of rows, are read whole and the part's rows kept. Also the
 * file's rows and where the part starts.
 */
export async function readTablePart(
  location: string,
  options: TableOptions,
  part: number,
  partitions: number,
): Promise<{ table: Table; start: number; end: number; total: number }> {
  const checked = checkCsvOptions(options, "readTablePart");
  const path = typeof location === "string" ? location.replace(/[?#].*$/, "") : "";
  if (/\.npy$/i.test(path)) {
    const header = await readNpyHeader(sourceOf(location, checked.storage));
    const total = header.shape.length === 2 ? header.shape[0]! : 0;
    const [start, end] = partitionRows(total, part, partitions);
    return {
      table: npyTable(location, await readNpyValues(location, undefined, checked.storage, [start, end]), checked, options),
      start,
      end,
      total,
    };
  }
  if (/\.parquet$/i.test(path)) {
    let total = 0;
    const table = await readParquet(location, pick(checked, PARQUET_OPTIONS), (rows) => {
      total = rows;
      return partitionRows(rows, part, partitions);
    });
    const [start, end] = partitionRows(total, part, partitions);
    return { table, start, end, total };
  }
  const whole = await readTable(location, options);
  const [start, end] = partitionRows(whole.rows, part, partitions);
  const table: Table = {
    ...whole,
    X: whole.X.rows(start, end),
    y: whole.y?.rows(start, end),
    rows: end - start,
    ...(whole.ids ? { ids: whole.ids.slice(start, end) } : {}),
    ...(whole.rowNumbers ? { rowNumbers: whole.rowNumbers.slice(start, end) } : {}),
  };
  return { table, start, end, total: whole.rows };
}

/** The table of an NPY file's values (readNpyValues'), its columns named by index. */
export function npyTable(
  location: string,
  values: { data: Float64Array; shape: number[]; dtype: string },
  checked: ReturnType<typeof checkCsvOptions>,
  options?: TableOptions,
): Table {
  const { data, shape, dtype: stored } = values;
  if (shape.length !== 2)
    throw new ArgumentError("file", "a 2-D array (rows x columns) for a table", `shape (${shape.join(", ")})`, `NPY file ${location}`);
  const [rows, cols] = shape as [number, number];
  const names = Array.from({ length: cols }, (_, i) => String(i));
  const targetIndex = checked.target === undefined ? -1 : names.indexOf(checked.target);
  if (checked.target !== undefined && targetIndex < 0)
    throw new ArgumentError("target", `a column index of the file (0 to ${cols - 1})`, checked.target, `NPY file ${location}`);
  const features = [...(checked.features ?? names.filter((_, i) => i !== targetIndex))];
  if (features.length === 0)
    throw new ArgumentError(
      "features",
      "at least one column besides the target",
      `the columns ${names.join(", ")}`,
      `NPY file ${location}`,
    );
  const index = features.map((f) => {
    const i = names.indexOf(f);
    if (i < 0 || i === targetIndex)
      throw new ArgumentError("features", `column indices other than the target (0 to ${cols - 1})`, f, `NPY file ${location}`);
    return i;
  });
  let idIndex = -1;
  if (checked.id !== undefined) {
    idIndex = names.indexOf(checked.id);
    if (idIndex < 0) throw new ArgumentError("id", `a column index of the file (0 to ${cols - 1})`, checked.id, `NPY file ${location}`);
  }
  const p = index.length;
  const X = new Float64Array(rows * p);
  const y = new Float64Array(targetIndex >= 0 ? rows : 0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < p; j++) X[r * p + j] = data[r * cols + index[j]!]!;
    if (targetIndex >= 0) y[r] = data[r * cols + targetIndex]!;
  }
  const chunkRows = checked.chunkRows ?? Math.max(1, Math.floor((64 << 20) / 8 / Math.max(p, 1)));
  return {
    X: fromTypedArray(X, {
      shape: [rows, p],
      chunks: [chunkRows, p],
      dtype: checkDType(options?.dtype ?? (stored === "f4" ? "float32" : "float64"), "dtype", "readTable"),
    }),
    y: targetIndex >= 0 ? fromTypedArray(y, { chunks: chunkRows }) : undefined,
    features,
    rows,
    ...(idIndex >= 0 ? { ids: Array.from({ length: rows }, (_, r) => String(data[r * cols + idIndex])) } : {}),
  };
}

/** The options of `keys` that `options` holds (a reader of another format refuses the rest). */
function pick<T extends object, K extends keyof T>(options: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (options[k] !== undefined) out[k] = options[k];
  return out;
}
