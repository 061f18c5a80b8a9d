/**
 * Parquet's numeric columns, read with hyparquet (pure JavaScript, range reads through a
 * Source, so a remote file is fetched only for the columns asked for).
 */
import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { ArgumentError } from "../errors.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType, type DType } from "../array/dtype.js";
import { checkInteger, checkOptions } from "../validate.js";
import { sourceOf, StorageError, type Source, type StorageOptions } from "./storage.js";
import { checkColumns, type Table } from "./csv.js";

/** The options readParquet takes (any other is refused by name). */
export const PARQUET_OPTIONS = ["features", "target", "chunkRows", "dtype", "storage"] as const;

/** A Parquet file weft cannot read (a non-numeric column, a missing one). */
export class ParquetError extends ArgumentError {}

/** hyparquet's AsyncBuffer over a Source. */
async function asyncBuffer(source: Source) {
  const byteLength = await source.size();
  return {
    byteLength,
    slice: async (start: number, end?: number) => {
      const bytes = await source.read(start, (end ?? byteLength) - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/**
 * Reads numeric columns of a Parquet file: `features` (default all but the target) and `target`;
 * the features as float64 or, with `dtype: 'float32'`, float32.
 */
export async function readParquet(
  location: string | URL | Source,
  options: { features?: readonly string[]; target?: string; chunkRows?: number; dtype?: DType; storage?: StorageOptions } = {},
): Promise<Table> {
  // all checked before the file is read
  options = checkOptions(options, "readParquet", PARQUET_OPTIONS);
  const dtype = checkDType(options.dtype ?? "float64", "dtype", "readParquet");
  checkInteger(options.chunkRows, "chunkRows", "readParquet", 1);
  const wanted = checkColumns(options.features, "features", "readParquet");
  const source = sourceOf(location, options.storage);
  const where = `Parquet file ${source.url}`;
  const file = await asyncBuffer(source);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw new ParquetError("file", "a Parquet file", (cause as Error).message, where);
  }
  const names = metadata.schema.slice(1).map((s) => s.name);
  if (options.target !== undefined && !names.includes(options.target))
    throw new ParquetError("target", `a column of the file (${names.join(", ")})`, options.target, where);
  const features = wanted ?? names.filter((n) => n !== options.target);
  for (const f of features) {
    if (!names.includes(f)) throw new ParquetError("features", `columns of the file (${names.join(", ")})`, f, where);
    if (f === options.target) throw new ParquetError("features", "columns other than the target", f, where);
  }
  if (features.length === 0)
    throw new ParquetError("features", "at least one column besides the target", `the columns ${names.join(", ")}`, where);
  const columns = options.target !== undefined ? [...features, options.target] : features;
  let records: Record<string, unknown>[];
  try {
    records = (await parquetReadObjects({ file, columns })) as Record<string, unknown>[];
  } catch (cause) {
    // a corrupt page or an unsupported encoding: hyparquet's own message, named and typed
    if (cause instanceof StorageError) throw cause;
    throw new ParquetError("file", "readable Parquet pages", `${(cause as Error).name}: ${(cause as Error).message}`.slice(0, 200), where);
  }
  const rows = records.length;
  const p = features.length;
  const X = new Float64Array(rows * p);
  const y = new Float64Array(options.target !== undefined ? rows : 0);
  records.forEach((r, i) => {
    for (let j = 0; j < columns.length; j++) {
      const raw = r[columns[j]!];
      const v = typeof raw === "bigint" ? Number(raw) : typeof raw === "boolean" ? Number(raw) : raw;
      if (typeof v !== "number")
        throw new ParquetError("cell", "a number", `${String(raw).slice(0, 40)} in row ${i}, column ${columns[j]}`, where);
      if (j < p) X[i * p + j] = v;
      else y[i] = v;
    }
  });
  const chunkRows = options.chunkRows ?? Math.max(1, Math.floor((64 << 20) / 8 / Math.max(p, 1)));
  return {
    X: fromTypedArray(X, { shape: [rows, p], chunks: [chunkRows, p], dtype }),
    y: options.target !== undefined ? fromTypedArray(y, { chunks: chunkRows }) : undefined,
    features,
    rows,
  };
}
