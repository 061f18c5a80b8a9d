/**
 * Arrow IPC files (.arrow, Feather v2's .feather) and streams (.arrows), read through a Source
 * with apache-arrow (an optional peer dependency, imported here on first use) into
 * `{ X, y, features, rows }`, as readParquet and readCsv give them. Buffers compressed with
 * LZ4_FRAME (pyarrow's write_feather by default) or ZSTD are decoded. The chunks are the file's
 * record batches, their buffers read into the runtime's memory when the arrays are computed.
 */
import { ArgumentError } from "../errors.js";
import { ArrowError, loadArrow, type ArrowModule } from "../array/arrow.js";
import { arrowArray, arrowColumns } from "../array/from-arrow.js";
import { checkDType, type DType } from "../array/dtype.js";
import { checkInteger, checkOptions } from "../validate.js";
import { checkColumns, resolveColumns, type Table } from "./csv.js";
import { decodeLz4Frames } from "./lz4-frame.js";
import { sourceOf, storageOptions, type DataLocation, type StorageOptions } from "./storage.js";

/** Options of `readArrowIpc`. */
export interface ArrowIpcOptions {
  /** The columns to read as features, in this order (default: every column but the target). */
  features?: readonly string[];
  /** The response column. */
  target?: string;
  /** A column handed back as text in `Table.ids`, one per row read (a row's identifier; see readCsv's). */
  id?: string;
  /** Rows per chunk (default: the file's record batches, small ones merged up to about 64 MiB). */
  chunkRows?: number;
  /** The features' dtype (default: float32 when every feature column is float32, else float64; y is float64). */
  dtype?: DType;
  /** A null: "error" (default), "drop" the row, or a number to put there (as readCsv's). */
  missing?: "error" | "drop" | number;
  /** Network timeouts and retries when reading from a URL (see StorageOptions). */
  storage?: StorageOptions;
}

/** The options readArrowIpc takes (any other is refused by name). */
export const ARROW_IPC_OPTIONS = ["features", "target", "id", "chunkRows", "dtype", "missing", "storage"] as const;

/** Arrow's CompressionType (fixed by the format). */
const LZ4_FRAME = 0;
const ZSTD = 1;

/**
 * Teaches apache-arrow's IPC reader the two codecs of the format, unless the program registered
 * its own: LZ4 frames (lz4-frame.ts) and ZSTD (fzstd, through hyparquet-compressors). Older
 * apache-arrow versions have no registry: their compressed files stay unreadable.
 */
async function registerCodecs(arrow: ArrowModule): Promise<void> {
  const registry = arrow.compressionRegistry;
  if (!registry) return;
  if (!registry.get(LZ4_FRAME)) registry.set(LZ4_FRAME, { decode: (bytes) => decodeLz4Frames(bytes) });
  if (!registry.get(ZSTD)) {
    const { decompressZstd } = await import("hyparquet-compressors");
    // fzstd may hand back a view at any offset; Arrow makes typed arrays over it, which must be aligned
    registry.set(ZSTD, {
      decode: (bytes) => {
        const out = decompressZstd(bytes);
        return out.byteOffset % 8 === 0 ? out : out.slice();
      },
    });
  }
}

/**
 * Reads an Arrow IPC file or stream (a path, a URL or a Source): numeric columns, `features`
 * (default all but the target) and `target`, as a Table. Nulls are refused unless `missing`
 * says to drop their rows or fill them. Needs apache-arrow (`npm install apache-arrow`).
 */
export async function readArrowIpc(location: DataLocation, options: ArrowIpcOptions = {}): Promise<Table> {
  // all checked before the file is read
  const o = checkOptions(options, "readArrowIpc", ARROW_IPC_OPTIONS);
  const dtype = o.dtype === undefined ? undefined : checkDType(o.dtype, "dtype", "readArrowIpc");
  checkInteger(o.chunkRows, "chunkRows", "readArrowIpc", 1);
  const wanted = checkColumns(o.features, "features", "readArrowIpc");
  if (o.target !== undefined && typeof o.target !== "string") throw new ArgumentError("target", "a column name", o.target, "readArrowIpc");
  if (o.id !== undefined && typeof o.id !== "string") throw new ArgumentError("id", "a column name", o.id, "readArrowIpc");
  const missing = o.missing ?? "error";
  if (!(missing === "error" || missing === "drop" || (typeof missing === "number" && Number.isFinite(missing))))
    throw new ArgumentError("missing", "'error', 'drop' or a finite number", missing, "readArrowIpc");
  storageOptions(o.storage);
  const arrow = await loadArrow(); // before the read: without apache-arrow nothing can be done
  await registerCodecs(arrow);
  const source = sourceOf(location, o.storage);
  const where = `Arrow IPC file ${source.url}`;
  // the whole file: Arrow's reader takes one buffer, and its columns are views into it
  let bytes = await source.read(0, await source.size());
  // Arrow's columns are typed arrays over these bytes: a Source's view at an odd offset is copied
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  if (bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === "FEA1")
    throw new ArrowError(
      "file",
      "Feather v2 (an Arrow IPC file)",
      "a Feather v1 file (re-save it with pyarrow.feather.write_feather)",
      where,
    );
  let table: ReturnType<ArrowModule["tableFromIPC"]>;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (cause) {
    throw new ArrowError("file", "an Arrow IPC file or stream", `${(cause as Error).message}`.slice(0, 200), where);
  }
  const names = table.schema.fields.map((f) => f.name);
  const features = resolveColumns(names, { features: wanted, target: o.target, id: o.id }, ArrowError, where);
  // one source for X and y: a row dropped for a null in any of them is dropped from both
  const columns = arrowColumns(table, o.target !== undefined ? [...features, o.target] : features, missing, where);
  const X = arrowArray(columns, table, 0, features.length, false, { chunks: o.chunkRows, dtype }, where);
  const y =
    o.target !== undefined
      ? arrowArray(columns, table, features.length, 1, true, { chunks: [X.chunks[0]!], dtype: "float64" }, where)
      : undefined;
  const rows = X.shape[0]!;
  const rowNumbers = missing === "drop" ? (columns.kept ?? Float64Array.from({ length: rows }, (_, i) => i)) : undefined;
  let ids: string[] | undefined;
  if (o.id !== undefined) {
    // an Arrow Vector: get(row) gives the value (null for a null, written as an empty cell)
    const column = table.getChildAt(names.indexOf(o.id)) as { get(row: number): unknown };
    ids = Array.from({ length: rows }, (_, i) => {
      const v = column.get(rowNumbers ? rowNumbers[i]! : i);
      return v === null || v === undefined ? "" : String(v);
    });
  }
  return { X, y, features, rows, ...(ids ? { ids } : {}), ...(rowNumbers ? { rowNumbers } : {}) };
}
