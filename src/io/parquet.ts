/**
 * Parquet's numeric columns, read with hyparquet (pure JavaScript, range reads through a
 * Source, so a remote file is fetched only for the columns asked for). Pages compressed with
 * any codec hyparquet-compressors decodes are read: SNAPPY, GZIP, BROTLI, ZSTD (what Polars and
 * DuckDB write by default), LZ4 (bare or Hadoop-framed) and LZ4_RAW; LZO is refused by name.
 */
import { parquetMetadataAsync, parquetReadObjects, type Compressors } from "hyparquet";
import { ArgumentError } from "../errors.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType, type DType } from "../array/dtype.js";
import { checkInteger, checkOptions } from "../validate.js";
import { sourceOf, StorageError, type DataLocation, type Source, type StorageOptions } from "./storage.js";
import { checkColumns, resolveColumns, type Table } from "./csv.js";

type FileMetaData = Awaited<ReturnType<typeof parquetMetadataAsync>>;

/** The options readParquet takes (any other is refused by name). */
export const PARQUET_OPTIONS = ["features", "target", "id", "chunkRows", "dtype", "storage"] as const;

/** A Parquet file weft cannot read (a non-numeric column, a missing one). */
export class ParquetError extends ArgumentError {}

/** The codecs read: hyparquet decodes SNAPPY itself, hyparquet-compressors the others. */
export const PARQUET_CODECS = ["UNCOMPRESSED", "SNAPPY", "GZIP", "BROTLI", "ZSTD", "LZ4", "LZ4_RAW"] as const;

let decoders: Promise<Compressors> | undefined;

/**
 * hyparquet-compressors' decoders, imported on first need: importing it compiles a WebAssembly
 * snappy decoder (some 30 ms), which a program that reads no compressed Parquet need not pay.
 */
function compressors(): Promise<Compressors> {
  decoders ??= import("hyparquet-compressors").then((m) => m.compressors);
  return decoders;
}

/**
 * The codecs the column chunks of `columns` are compressed with; a ParquetError naming the codec,
 * the column and the file for one weft cannot decode (LZO, or a codec newer than this reader).
 */
function checkCodecs(metadata: FileMetaData, columns: readonly string[], where: string): Set<string> {
  const found = new Set<string>();
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const column = chunk.meta_data?.path_in_schema[0];
      const codec = chunk.meta_data?.codec;
      if (column === undefined || codec === undefined || !columns.includes(column)) continue;
      if (!(PARQUET_CODECS as readonly string[]).includes(codec))
        throw new ParquetError(
          "file",
          `pages compressed with a codec weft reads (${PARQUET_CODECS.join(", ")})`,
          `column '${column}' compressed with ${codec}`,
          where,
        );
      found.add(codec);
    }
  }
  return found;
}

/**
 * Bytes fetched from a file's end for its footer: most footers fit in 64 KiB (a larger one costs
 * one more read); hyparquet's default, 512 KiB, would fetch a small file whole.
 */
const FOOTER_FETCH_BYTES = 1 << 16;

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
 * Reads numeric columns of a Parquet file (a path, a URL, a File, a Blob or bytes): `features` (default all but the target) and `target`;
 * the features as float64 or, with `dtype: 'float32'`, float32. `range` [start, end) reads only
 * those rows (the row groups that hold none of them are not fetched); a function of the file's
 * row count gives it once the footer is read.
 */
export async function readParquet(
  location: DataLocation,
  options: {
    features?: readonly string[];
    target?: string;
    /** A column handed back as text in `Table.ids`, one per row (a row's identifier; see readCsv's). */
    id?: string;
    chunkRows?: number;
    dtype?: DType;
    storage?: StorageOptions;
  } = {},
  range?: readonly [number, number] | ((rows: number) => readonly [number, number]),
): Promise<Table> {
  // all checked before the file is read
  options = checkOptions(options, "readParquet", PARQUET_OPTIONS);
  const dtype = checkDType(options.dtype ?? "float64", "dtype", "readParquet");
  checkInteger(options.chunkRows, "chunkRows", "readParquet", 1);
  const wanted = checkColumns(options.features, "features", "readParquet");
  if (options.id !== undefined && typeof options.id !== "string") throw new ArgumentError("id", "a column name", options.id, "readParquet");
  const source = sourceOf(location, options.storage);
  const where = `Parquet file ${source.url}`;
  const file = await asyncBuffer(source);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH_BYTES });
  } catch (cause) {
    if (cause instanceof StorageError) throw cause;
    throw new ParquetError("file", "a Parquet file", (cause as Error).message, where);
  }
  const total = Number(metadata.num_rows);
  const rows = typeof range === "function" ? range(total) : range;
  if (rows !== undefined) {
    const [start, end] = rows;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > total)
      throw new ArgumentError("range", `rows [start, end) within the file's ${total} rows`, rows, where);
  }
  const names = metadata.schema.slice(1).map((s) => s.name);
  const features = resolveColumns(names, { features: wanted, target: options.target, id: options.id }, ParquetError, where);
  const columns = options.target !== undefined ? [...features, options.target] : features;
  // the id column is read with the others (once, when it is also one of them), as text
  const read = options.id !== undefined && !columns.includes(options.id) ? [...columns, options.id] : columns;
  const codecs = checkCodecs(metadata, read, where);
  // hyparquet decodes SNAPPY itself: the other decoders are loaded only for a file that needs them
  const needed = [...codecs].some((c) => c !== "UNCOMPRESSED" && c !== "SNAPPY");
  let records: Record<string, unknown>[];
  try {
    const only = rows ? { rowStart: rows[0], rowEnd: rows[1] } : {};
    records = (await parquetReadObjects({
      file,
      metadata, // read once: hyparquet would fetch the footer again
      columns: read,
      ...only,
      compressors: needed ? await compressors() : undefined,
    })) as Record<string, unknown>[];
  } catch (cause) {
    // a corrupt page or an unsupported encoding: hyparquet's own message, named and typed
    if (cause instanceof StorageError) throw cause;
    throw new ParquetError("file", "readable Parquet pages", `${(cause as Error).name}: ${(cause as Error).message}`.slice(0, 200), where);
  }
  const count = records.length;
  const p = features.length;
  const X = new Float64Array(count * p);
  const y = new Float64Array(options.target !== undefined ? count : 0);
  records.forEach((r, i) => {
    for (let j = 0; j < columns.length; j++) {
      const raw = r[columns[j]!];
      const v = typeof raw === "bigint" ? Number(raw) : typeof raw === "boolean" ? Number(raw) : raw;
      if (typeof v !== "number")
        throw new ParquetError(
          "cell",
          "a number",
          `${String(raw).slice(0, 40)} in row ${(rows?.[0] ?? 0) + i}, column ${columns[j]}`,
          where,
        );
      if (j < p) X[i * p + j] = v;
      else y[i] = v;
    }
  });
  const chunkRows = options.chunkRows ?? Math.max(1, Math.floor((64 << 20) / 8 / Math.max(p, 1)));
  const id = options.id;
  const ids = id === undefined ? undefined : records.map((r) => (r[id] === null || r[id] === undefined ? "" : String(r[id])));
  return {
    ...(ids ? { ids } : {}),
    X: fromTypedArray(X, { shape: [count, p], chunks: [chunkRows, p], dtype }),
    y: options.target !== undefined ? fromTypedArray(y, { chunks: chunkRows }) : undefined,
    features,
    rows: count,
  };
}
