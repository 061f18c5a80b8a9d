/**
 * One entry for "a data file": the format chosen by the file's extension (.csv, .tsv, .npy,
 * .parquet), features and a target named alike. For NPY files, which have no column names,
 * columns are named by their index ("0", "1", ...). The features are float64, or float32 with
 * `dtype: 'float32'` (an NPY file of float32 values gives float32 unless told otherwise).
 */
import { ArgumentError } from "../errors.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType } from "../array/dtype.js";
import { readCsv, type CsvOptions, type Table } from "./csv.js";
import { readNpyValues } from "./npy.js";
import { readParquet } from "./parquet.js";

/** Options of `readTable`: those of `readCsv` (features and target apply to every format). */
export type TableOptions = CsvOptions;

/**
 * Reads a data file chosen by extension (.csv, .tsv, .txt, .npy, .parquet) from a path or URL into
 * `{ X, y, features, rows }`.
 */
export async function readTable(location: string, options: TableOptions = {}): Promise<Table> {
  const path = location.replace(/[?#].*$/, "");
  if (/\.(csv|tsv|txt)$/i.test(path)) return readCsv(location, options);
  if (/\.parquet$/i.test(path)) return readParquet(location, options);
  if (/\.npy$/i.test(path)) {
    const { data, shape, dtype: stored } = await readNpyValues(location, undefined, options.storage);
    if (shape.length !== 2) throw new ArgumentError("file", "a 2-D array (rows x columns) for a table", `shape (${shape.join(", ")})`, `NPY file ${location}`);
    const [rows, cols] = shape as [number, number];
    const names = Array.from({ length: cols }, (_, i) => String(i));
    const targetIndex = options.target === undefined ? -1 : names.indexOf(options.target);
    if (options.target !== undefined && targetIndex < 0) throw new ArgumentError("target", `a column index of the file (0 to ${cols - 1})`, options.target, `NPY file ${location}`);
    const features = [...(options.features ?? names.filter((_, i) => i !== targetIndex))];
    const index = features.map((f) => {
      const i = names.indexOf(f);
      if (i < 0 || i === targetIndex) throw new ArgumentError("features", `column indices other than the target (0 to ${cols - 1})`, f, `NPY file ${location}`);
      return i;
    });
    const p = index.length;
    const X = new Float64Array(rows * p);
    const y = new Float64Array(targetIndex >= 0 ? rows : 0);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < p; j++) X[r * p + j] = data[r * cols + index[j]!]!;
      if (targetIndex >= 0) y[r] = data[r * cols + targetIndex]!;
    }
    const chunkRows = options.chunkRows ?? Math.max(1, Math.floor((64 << 20) / 8 / Math.max(p, 1)));
    return {
      X: fromTypedArray(X, { shape: [rows, p], chunks: [chunkRows, p], dtype: checkDType(options.dtype ?? (stored === "f4" ? "float32" : "float64"), "dtype", "readTable") }),
      y: targetIndex >= 0 ? fromTypedArray(y, { chunks: chunkRows }) : undefined,
      features,
      rows,
    };
  }
  throw new ArgumentError("file", "a .csv, .tsv, .npy or .parquet file", location, "read");
}
