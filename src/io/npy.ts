/**
 * NumPy's .npy format: a magic string, a version, a Python-dict header (dtype, fortran_order,
 * shape), then the values in C order, or column by column in Fortran order (what
 * `np.save(df.to_numpy())` writes), which the reader turns into C order. Reading takes the header by range reads and the values a
 * block of rows at a time (any little-endian float, signed or unsigned integer, or bool dtype,
 * converted to float64); writing makes float64 files from Float64Arrays.
 */
import { ArgumentError } from "../errors.js";
import type { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { checkDType, type DType } from "../array/dtype.js";
import { checkFunction, checkInteger, checkOptions } from "../validate.js";
import { checkPath, sourceOf, storageOptions, writeFileAtomic, type DataLocation, type Source, type StorageOptions } from "./storage.js";

/** A malformed or unsupported NPY file. */
export class NpyError extends ArgumentError {}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Reader = (view: DataView, offset: number) => number;
const DTYPES: Record<string, { bytes: number; read: Reader }> = {
  f8: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  f4: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  i8: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  i4: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  i2: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  u8: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
  u4: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  u2: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  b1: { bytes: 1, read: (v, o) => v.getUint8(o) },
};

/** An NPY file's header: dtype, memory order, shape and where the data starts. */
export interface NpyHeader {
  dtype: string;
  shape: number[];
  /** Whether the values are stored column by column (NumPy's fortran_order); readers return C order. */
  fortranOrder: boolean;
  /** Byte offset of the first value. */
  dataOffset: number;
}

/** The longest header read (NumPy's own are under 1 KiB; its loader refuses more than 10,000 bytes by default). */
const MAX_HEADER_BYTES = 1 << 16;

/** Reads and checks the header of `source`. */
export async function readNpyHeader(source: Source): Promise<NpyHeader> {
  if (typeof source !== "object" || source === null || typeof source.read !== "function") {
    throw new ArgumentError("source", "a Source (an object with read(); openSource(path) makes one)", source, "readNpyHeader");
  }
  const where = `NPY file ${source.url}`;
  const first = await source.read(0, 10);
  if (first.length < 10 || MAGIC.some((b, i) => first[i] !== b))
    throw new NpyError(
      "file",
      "an .npy file (it starts with \\x93NUMPY)",
      `${first.length < 10 ? `a file of ${first.length} bytes` : "other bytes"}`,
      where,
    );
  const major = first[6]!;
  let headerLength: number, start: number;
  if (major === 1) {
    headerLength = first[8]! | (first[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    const more = await source.read(8, 4);
    if (more.length < 4) throw new NpyError("header", "a complete header", "a truncated file", where);
    headerLength = new DataView(more.buffer, more.byteOffset, 4).getUint32(0, true);
    start = 12;
  } else {
    throw new NpyError("version", "1, 2 or 3", major, where);
  }
  // NumPy writes headers of a few hundred bytes; a huge length is a corrupt or hostile file
  if (headerLength > MAX_HEADER_BYTES)
    throw new NpyError("header", `a header of at most ${MAX_HEADER_BYTES} bytes`, `${headerLength} bytes`, where);
  const bytes = await source.read(start, headerLength);
  if (bytes.length < headerLength)
    throw new NpyError("header", `${headerLength} bytes of header`, `${bytes.length} bytes (a truncated file)`, where);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyError("header", "a dict with descr, fortran_order and shape", text.trim().slice(0, 60), where);
  const match = /^([<|>=])([a-z]\d+)$/.exec(descr);
  if (!match || !DTYPES[match[2]!]) throw new NpyError("dtype", `a numeric dtype (${Object.keys(DTYPES).join(", ")})`, descr, where);
  if (match[1] === ">") throw new NpyError("dtype", "little-endian data ('<'): save with arr.astype('<f8')", descr, where);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0) || shape.length > 2)
    throw new NpyError("shape", "0, 1 or 2 whole lengths", `(${shapeText})`, where);
  // past 2^53 the count itself is not exact, and no file holds that many values
  if (shape.reduce((a, b) => a * b, 1) > Number.MAX_SAFE_INTEGER)
    throw new NpyError("shape", "at most 2^53 - 1 values", `(${shapeText})`, where);
  return { dtype: match[2]!, shape, fortranOrder: fortran === "True", dataOffset: start + headerLength };
}

/** A rows x cols matrix stored column by column, in C (row-major) order: a new array (the transpose's copy). */
function fortranToC(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let j = 0; j < cols; j++) {
    const column = j * rows;
    for (let i = 0; i < rows; i++) out[i * cols + j] = data[column + i]!;
  }
  return out;
}

/**
 * The values of an .npy file as float64 in C order (a Fortran-order file transposed as it is
 * read, in a second copy), with its shape and its dtype code as stored ('f8', 'f4', 'i4', ...).
 * `rows` [start, end) reads only those rows of a 2-D file (their bytes alone: one range in C
 * order, one per column in Fortran order); the shape returned is then theirs.
 */
export async function readNpyValues(
  location: DataLocation,
  onProgress?: (done: number, total: number) => void,
  storage?: StorageOptions,
  rows?: readonly [number, number],
): Promise<{ data: Float64Array; shape: number[]; dtype: string }> {
  checkFunction(onProgress, "onProgress", "readNpyValues");
  const source = sourceOf(location, storage);
  const header = await readNpyHeader(source);
  const { bytes } = DTYPES[header.dtype]!;
  const count = header.shape.reduce((a, b) => a * b, 1);
  // the header's word is checked against the file before the values are allocated: a shape of
  // (1e9, 3) on a file of 200 bytes would otherwise ask for 24 GB first
  const held = Math.max(0, (await source.size()) - header.dataOffset);
  if (held < count * bytes) throw truncated(source, header, count, Math.floor(held / bytes));
  if (rows !== undefined) return readRows(source, header, rows, onProgress);
  const data = await readValues(source, header, header.dataOffset, count, onProgress, 0, count);
  const ordered = header.fortranOrder && header.shape.length === 2 ? fortranToC(data, header.shape[0]!, header.shape[1]!) : data;
  return { data: ordered, shape: header.shape, dtype: header.dtype };
}

/** Rows [start, end) of a 2-D file, in C order. */
async function readRows(
  source: Source,
  header: NpyHeader,
  rows: readonly [number, number],
  onProgress?: (done: number, total: number) => void,
): Promise<{ data: Float64Array; shape: number[]; dtype: string }> {
  const where = `NPY file ${source.url}`;
  if (header.shape.length !== 2) throw new NpyError("rows", "a range of rows of a 2-D array", `shape (${header.shape.join(", ")})`, where);
  const [total, cols] = header.shape as [number, number];
  const [start, end] = rows;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > total)
    throw new ArgumentError("rows", `[start, end) within the file's ${total} rows`, rows, where);
  const n = end - start;
  const { bytes } = DTYPES[header.dtype]!;
  if (!header.fortranOrder) {
    const data = await readValues(source, header, header.dataOffset + start * cols * bytes, n * cols, onProgress, 0, n * cols);
    return { data, shape: [n, cols], dtype: header.dtype };
  }
  // column by column: each column's rows are contiguous
  const out = new Float64Array(n * cols);
  for (let j = 0; j < cols; j++) {
    const column = await readValues(source, header, header.dataOffset + (j * total + start) * bytes, n, onProgress, j * n, n * cols);
    for (let i = 0; i < n; i++) out[i * cols + j] = column[i]!;
  }
  return { data: out, shape: [n, cols], dtype: header.dtype };
}

/** `count` values from byte `offset`, in 8 MiB reads; progress counts from `done` of `total`. */
async function readValues(
  source: Source,
  header: NpyHeader,
  offset: number,
  count: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  done: number,
  total: number,
): Promise<Float64Array> {
  const { bytes, read } = DTYPES[header.dtype]!;
  const data = new Float64Array(count);
  const block = Math.max(1, Math.floor((8 << 20) / bytes)); // 8 MiB reads
  for (let at = 0; at < count; at += block) {
    const n = Math.min(block, count - at);
    const raw = await source.read(offset + at * bytes, n * bytes);
    if (raw.length < n * bytes) throw truncated(source, header, total, done + at + Math.floor(raw.length / bytes)); // shrunk while read
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (header.dtype === "f8" && raw.byteOffset % 8 === 0) data.set(new Float64Array(raw.buffer, raw.byteOffset, n), at);
    else for (let i = 0; i < n; i++) data[at + i] = read(view, i * bytes);
    onProgress?.(done + at + n, total);
  }
  return data;
}

/** The error of a file that holds fewer values than its header says. */
function truncated(source: Source, header: NpyHeader, count: number, held: number): NpyError {
  return new NpyError(
    "file",
    `${count} values of ${header.dtype} (shape (${header.shape.join(", ")}))`,
    `a truncated file: data ends at value ${held}`,
    `NPY file ${source.url}`,
  );
}

/**
 * An .npy file as a chunked array (chunked along rows as `chunkRows` says; default one chunk).
 * Its dtype: `options.dtype`, else float32 for a float32 ('f4') file, as NumPy loads it, and
 * float64 for every other.
 */
export async function readNpy(
  location: DataLocation,
  options: { chunkRows?: number; dtype?: DType; storage?: StorageOptions } = {},
): Promise<ChunkedArray> {
  // all checked before the file is read
  options = checkOptions(options, "readNpy", ["chunkRows", "dtype", "storage"]);
  const dtype = options.dtype === undefined ? undefined : checkDType(options.dtype, "dtype", "readNpy");
  checkInteger(options.chunkRows, "chunkRows", "readNpy", 1);
  storageOptions(options.storage);
  const { data, shape, dtype: stored } = await readNpyValues(location, undefined, options.storage);
  const chunks =
    options.chunkRows && shape.length > 0 ? (shape.length === 2 ? [options.chunkRows, shape[1]!] : options.chunkRows) : undefined;
  return fromTypedArray(data, { shape, chunks: chunks as never, dtype: dtype ?? (stored === "f4" ? "float32" : "float64") });
}

/**
 * Writes float64 values of `shape` (C order) as an .npy file, atomically. Only a Float64Array:
 * the header says '<f8', so the bytes of any other typed array would make a corrupt file.
 */
export async function writeNpy(path: string, data: Float64Array, shape: readonly number[]): Promise<void> {
  checkPath(path, "writeNpy");
  if (!(data instanceof Float64Array))
    throw new ArgumentError("data", "a Float64Array (writeNpy writes float64: convert with Float64Array.from(values))", data, "writeNpy");
  // what readNpy reads back: 0, 1 or 2 whole lengths
  if (!Array.isArray(shape) || shape.length > 2 || shape.some((n) => typeof n !== "number" || !Number.isInteger(n) || n < 0)) {
    throw new ArgumentError("shape", "a list of 0, 1 or 2 whole lengths >= 0", shape, "writeNpy");
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new ArgumentError("shape", `a shape of ${data.length} values`, shape, "writeNpy");
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += `${" ".repeat((64 - (total % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  await writeFileAtomic(path, out);
}
