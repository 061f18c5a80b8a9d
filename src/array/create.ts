/**
 * Making arrays: from data already in JS (copied into shared memory on the main thread when the
 * array is computed), constant and ramp fills, and random arrays on the spec's counter-based
 * generator (docs/specs/synthetic-data.md): every chunk is generated on its own, on any
 * thread, from its element indices, so an array is the same whatever its chunking.
 */
import { ArgumentError } from "../errors.js";
import { key, uniqueName } from "../graph/keys.js";
import { BlockwiseLayer, InputLayer, TaskLayer, type BlockwiseInput } from "../graph/layers.js";
import { defaultOps, type TaskContext } from "../graph/ops.js";
import { chunkTable } from "../graph/tables.js";
import { ref, taskWith, type Task } from "../graph/task.js";
import type { BufferViews } from "../memory/index.js";
import { DEFAULT_SEED, problemSeeds, seedHalves } from "../random/synthetic.js";
import { ChunkedArray } from "./array.js";
import { checkShape, normalizeChunks, offsets, type ChunksSpec } from "./chunks.js";
import { withDType } from "./cast.js";
import { checkDType, type DType } from "./dtype.js";
import { gridOf, type ChunkGrid } from "./grid.js";
import { checkBoolean, checkOptions, firstNonFinite } from "../validate.js";
import "./methods.js"; // every array starts here: its methods are installed before it exists

/**
 * Options of the creation functions: the chunking (a chunk length per dimension, or dask's explicit
 * chunk lengths).
 */
export interface CreateOptions {
  /** A chunk length (along rows) or dask's per-dimension chunks. Default: one chunk. */
  chunks?: ChunksSpec;
  /**
   * The element type: 'float64' (the default; fromTypedArray: the data's own type) or 'float32'
   * (values rounded to nearest when the chunks are made).
   */
  dtype?: DType;
}

const CREATE_OPTIONS = ["chunks", "dtype"] as const;

/** Row and column chunk lists of the 2-D view of an array with this shape and these chunks. */
function view(shape: readonly number[], chunks: number[][]): [number[], number[]] {
  return shape.length === 2 ? [chunks[0]!, chunks[1]!] : shape.length === 1 ? [[1], chunks[0]!] : [[1], [1]];
}

/**
 * An array whose chunk k is made by op(...args) (float64 values), each argument a literal or a
 * per-chunk table of the grid (rows, first row, ...): one lazy layer, whatever the chunk count.
 * Of `dtype` (float32: rounded in the same task). (arrow.ts makes its arrays with it too.)
 */
export function fromChunkRule(
  prefix: string,
  shape: readonly number[],
  chunks: number[][],
  op: string,
  args: (grid: ChunkGrid) => BlockwiseInput[],
  dtype: unknown = "float64",
): ChunkedArray {
  const type = checkDType(dtype, "dtype", prefix);
  const [rc, cc] = view(shape, chunks);
  const frozen = Object.freeze(chunks.map((c) => Object.freeze([...c])));
  const grid = gridOf(frozen, rc, cc);
  const layer = new BlockwiseLayer(op, args(grid), { name: uniqueName(prefix), chunks: grid.size, bytes: grid.bytes(8) });
  return withDType(new ChunkedArray(layer, shape, frozen), type);
}

function checkFinite(name: string, value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ArgumentError(name, "a finite number", value, where);
  return value;
}

/** Copies part of a JS array into a new chunk: runs on the main thread (the data stays there). */
function copyIn(
  ctx: TaskContext,
  data: ArrayLike<number>,
  row0: number,
  rows: number,
  col0: number,
  cols: number,
  totalCols: number,
): BufferViews {
  const out = ctx.alloc(8 * rows * cols);
  const v = out.f64();
  for (let r = 0; r < rows; r++) {
    const from = (row0 + r) * totalCols + col0;
    if (ArrayBuffer.isView(data)) v.set((data as unknown as Float64Array).subarray(from, from + cols), r * cols);
    else for (let c = 0; c < cols; c++) v[r * cols + c] = data[from + c]!;
  }
  return out;
}
// No module: the source data never travels to workers.
defaultOps.register("copyIn", copyIn, { context: true });

/**
 * An array over `data` (row-major), of `shape` (default: 1-D of its length). Copied into the
 * shared memory when computed: the data is an input of the graph, so a loop making a new array
 * of the same shape each time runs one compiled plan.
 */
export function fromTypedArray(
  data: Float64Array | Float32Array | readonly number[],
  options?: CreateOptions & { shape?: number[] },
): ChunkedArray {
  if (!(data instanceof Float64Array || data instanceof Float32Array || Array.isArray(data))) {
    throw new ArgumentError("data", "a Float64Array, Float32Array or array of numbers", data, "fromTypedArray");
  }
  options = checkOptions(options, "fromTypedArray", [...CREATE_OPTIONS, "shape"]);
  if (Array.isArray(data)) {
    // a plain list: every entry a number (a string, null, a nested list or a hole would become NaN or 0)
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== "number")
        throw new ArgumentError("data", `a flat list of numbers, row-major (entry ${i} is not a number)`, data[i], "fromTypedArray");
    }
  }
  const shape = checkShape(options.shape ?? [data.length], "fromTypedArray");
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new ArgumentError("shape", `a shape of ${data.length} values`, shape, "fromTypedArray");
  const chunks = normalizeChunks(shape, options.chunks, "fromTypedArray");
  const totalCols = shape.length === 2 ? shape[1]! : shape.length === 1 ? shape[0]! : 1;
  const dtype = options.dtype ?? (data instanceof Float32Array ? "float32" : "float64");
  const source = new InputLayer(uniqueName("data"), [data]);
  return fromChunkRule(
    "from-data",
    shape,
    chunks,
    "copyIn",
    (g) => [source, { perChunk: g.row0 }, { perChunk: g.rows }, { perChunk: g.col0 }, { perChunk: g.cols }, { literal: totalCols }],
    dtype,
  );
}

/** A 2-D array from a list of equally long rows. */
export function fromRows(rows: readonly (readonly number[])[], options: CreateOptions = {}): ChunkedArray {
  if (!Array.isArray(rows)) throw new ArgumentError("rows", "an array of rows", rows, "fromRows");
  const isRow = (r: unknown): r is ArrayLike<number> => Array.isArray(r) || r instanceof Float64Array || r instanceof Float32Array;
  if (rows.length > 0 && !isRow(rows[0])) throw new ArgumentError("rows[0]", "a row: an array of numbers", rows[0], "fromRows");
  const cols = rows.length > 0 ? rows[0]!.length : 0;
  rows.forEach((r, i) => {
    if (!isRow(r) || r.length !== cols) throw new ArgumentError(`rows[${i}]`, `a row of ${cols} numbers like rows[0]`, r, "fromRows");
    for (let c = 0; c < cols; c++) {
      if (typeof r[c] !== "number") throw new ArgumentError(`rows[${i}][${c}]`, "a number", r[c], "fromRows");
    }
  });
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r, i * cols));
  return fromTypedArray(data, { ...options, shape: [rows.length, cols] });
}

/** An array of `shape` filled with `value`. */
export function full(shape: number[], value: number, options?: CreateOptions): ChunkedArray {
  options = checkOptions(options, "full", CREATE_OPTIONS);
  const s = checkShape(shape, "full");
  if (typeof value !== "number") throw new ArgumentError("value", "a number", value, "full");
  const chunks = normalizeChunks(s, options.chunks, "full");
  return fromChunkRule("full", s, chunks, "fill", (g) => [{ perChunk: g.bytes(1) }, { literal: value }], options.dtype);
}

export const zeros = (shape: number[], options?: CreateOptions): ChunkedArray => full(shape, 0, options);
export const ones = (shape: number[], options?: CreateOptions): ChunkedArray => full(shape, 1, options);

/** start, start + step, ... below stop (NumPy's arange(stop) or arange(start, stop, step)). */
export function arange(
  start: number,
  stop?: number | CreateOptions,
  step?: number | CreateOptions,
  options: CreateOptions = {},
): ChunkedArray {
  let opts = options;
  if (typeof stop === "object") [opts, stop] = [stop, undefined];
  if (typeof step === "object") [opts, step] = [step, undefined];
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const by = step ?? 1;
  checkFinite("start", from, "arange");
  checkFinite("stop", to, "arange");
  checkFinite("step", by, "arange");
  if (by === 0) throw new ArgumentError("step", "a non-zero number", by, "arange");
  opts = checkOptions(opts, "arange", CREATE_OPTIONS);
  const n = Math.max(0, Math.ceil((to - from) / by));
  // counted before anything is built: an exact count, at most 2^53 - 1 values
  if (!Number.isSafeInteger(n))
    throw new ArgumentError(
      stop === undefined ? "stop" : "step",
      `a range of at most 2^53 - 1 values (this one has ${n})`,
      stop === undefined ? to : by,
      "arange",
    );
  const chunks = normalizeChunks([n], opts.chunks, "arange");
  return fromChunkRule(
    "arange",
    [n],
    chunks,
    "arange",
    (g) => [{ perChunk: g.cols }, { perChunk: chunkTable(g.col0.values.map((c0) => from + c0 * by)) }, { literal: by }],
    opts.dtype,
  );
}

/** num values from start to stop (inclusive unless endpoint is false). */
export function linspace(start: number, stop: number, num: number, options?: CreateOptions & { endpoint?: boolean }): ChunkedArray {
  checkFinite("start", start, "linspace");
  checkFinite("stop", stop, "linspace");
  if (!Number.isSafeInteger(num) || num < 0) throw new ArgumentError("num", "a whole number >= 0 (at most 2^53 - 1)", num, "linspace");
  options = checkOptions(options, "linspace", [...CREATE_OPTIONS, "endpoint"]);
  const endpoint = checkBoolean(options.endpoint, "endpoint", "linspace") ?? true;
  const step = num === 0 ? 0 : (stop - start) / (endpoint ? Math.max(num - 1, 1) : num);
  const chunks = normalizeChunks([num], options.chunks, "linspace");
  return fromChunkRule(
    "linspace",
    [num],
    chunks,
    "arange",
    (g) => [{ perChunk: g.cols }, { perChunk: chunkTable(g.col0.values.map((c0) => start + c0 * step)) }, { literal: step }],
    options.dtype,
  );
}

/**
 * Options of the random arrays: shape, chunks and seed of the spec's counter-based generator (each
 * chunk generated independently).
 */
export interface RandomOptions extends CreateOptions {
  shape: number[];
  /** The generator's seed (default the spec's, 20240601). */
  seed?: number;
}

function randomArray(kind: number, options: RandomOptions, a: number, b: number, where: string): ChunkedArray {
  if (typeof options !== "object" || options === null) throw new ArgumentError("options", "{ shape, chunks?, seed? }", options, where);
  const shape = checkShape(options.shape, where);
  const chunks = normalizeChunks(shape, options.chunks, where);
  const [hi, lo] = seedHalves(options.seed ?? DEFAULT_SEED);
  const totalCols = shape.length === 2 ? shape[1]! : shape.length === 1 ? shape[0]! : 1;
  return fromChunkRule(
    where,
    shape,
    chunks,
    "random",
    (g) => [
      { literal: kind },
      { literal: hi },
      { literal: lo },
      { perChunk: g.row0 },
      { perChunk: g.rows },
      { perChunk: g.col0 },
      { perChunk: g.cols },
      { literal: totalCols },
      { literal: a },
      { literal: b },
    ],
    options.dtype,
  );
}

/** Uniform values on [low, high): element i (row-major) is the spec's U(seed, i) scaled. */
export function uniform(options: RandomOptions & { low?: number; high?: number }): ChunkedArray {
  const low = checkFinite("low", options?.low ?? 0, "random.uniform");
  const high = checkFinite("high", options?.high ?? 1, "random.uniform");
  return randomArray(0, options, low, high, "random.uniform");
}

/** Normal values: element i (row-major) is mean + std * the spec's normal(seed, i). */
export function normal(options: RandomOptions & { mean?: number; std?: number }): ChunkedArray {
  const mean = checkFinite("mean", options?.mean ?? 0, "random.normal");
  const std = checkFinite("std", options?.std ?? 1, "random.normal");
  if (std < 0) throw new ArgumentError("std", "a finite number >= 0", std, "random.normal");
  return randomArray(1, options, mean, std, "random.normal");
}

/**
 * The spec's synthetic logistic-regression problem: X (rows x cols normals), beta
 * (normals(seed + 1) / sqrt(cols)) and y (U(seed + 2, i) < sigmoid(X_i . beta)), chunked by
 * `chunkRows` rows.
 */
export function logisticProblem(options: { rows: number; cols: number; seed?: number; chunkRows?: number }): {
  X: ChunkedArray;
  y: ChunkedArray;
  beta: ChunkedArray;
} {
  const { rows, cols } = options ?? ({} as never);
  if (!Number.isInteger(rows) || rows < 0) throw new ArgumentError("rows", "a whole number >= 0", rows, "random.logisticProblem");
  if (!Number.isInteger(cols) || cols <= 0 || cols % 2 !== 0)
    throw new ArgumentError("cols", "a positive even whole number (the spec's P)", cols, "random.logisticProblem");
  if (rows > Number.MAX_SAFE_INTEGER / cols)
    throw new ArgumentError(
      "rows",
      `at most ${Math.floor(Number.MAX_SAFE_INTEGER / cols)} rows of ${cols} columns (2^53 - 1 values)`,
      rows,
      "random.logisticProblem",
    );
  const seed = options.seed ?? DEFAULT_SEED;
  const chunkRows = options.chunkRows ?? Math.max(rows, 1);
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new ArgumentError("chunkRows", "a whole number >= 1", chunkRows, "random.logisticProblem");
  const X = normal({ shape: [rows, cols], chunks: [chunkRows, cols], seed });
  const seeds = problemSeeds(seed);
  const [bh, bl] = seeds.beta;
  const betaLayer = new BlockwiseLayer("logisticCoefficients", [{ literal: bh }, { literal: bl }, { literal: cols }], {
    name: uniqueName("beta"),
    chunks: 1,
    bytes: 8 * cols,
  });
  const beta = new ChunkedArray(betaLayer, [cols], [[cols]]);
  const [uh, ul] = seeds.labels;
  const g = X.chunkGrid; // one column chunk: chunk i is row chunk i
  const labels = new BlockwiseLayer(
    "logisticLabels",
    [X.layer, beta.layer, { literal: uh }, { literal: ul }, { perChunk: g.row0 }, { perChunk: g.rows }, { literal: cols }],
    { name: uniqueName("labels"), bytes: g.vectorBytes(8, false) },
  );
  const y = new ChunkedArray(labels, [rows], [X.rowChunks]);
  return { X, y, beta };
}

let mapBlocksCount = 0;

/**
 * A new float64 array whose chunk (i, j) is `fn(blocks, info)`: `blocks` are the Float64Array
 * views of chunk (i, j) of each array (all chunked alike; a float32 array's chunks widened), and
 * fn returns the output chunk's values (by default as many as the first array's chunk). Runs on
 * the main thread.
 */
export function mapBlocks(
  fn: (blocks: Float64Array[], info: { row0: number; col0: number; rows: number; cols: number }) => ArrayLike<number>,
  arrays: readonly ChunkedArray[],
  options?: { shape?: number[]; chunks?: number[][] },
): ChunkedArray {
  if (typeof fn !== "function") throw new ArgumentError("fn", "a function", fn, "mapBlocks");
  if (!Array.isArray(arrays) || arrays.length === 0 || arrays.some((a) => !(a instanceof ChunkedArray))) {
    throw new ArgumentError("arrays", "a non-empty list of ChunkedArrays", arrays, "mapBlocks");
  }
  const first = arrays[0]!;
  for (const a of arrays) {
    if (a.grid[0] !== first.grid[0] || a.grid[1] !== first.grid[1]) {
      throw new ArgumentError(
        "arrays",
        `arrays chunked like the first (${first.grid[0]} x ${first.grid[1]} chunks)`,
        a.toString(),
        "mapBlocks",
      );
    }
  }
  options = checkOptions(options, "mapBlocks", ["shape", "chunks"]);
  const shape = checkShape(options.shape ?? [...first.shape], "mapBlocks");
  // one output chunk per input chunk, whose lengths add up to the shape
  const chunks = normalizeChunks(shape, options.chunks ?? first.chunks.map((c: readonly number[]) => [...c]), "mapBlocks");
  if (chunks.length !== first.chunks.length || chunks.some((c, d) => c.length !== first.chunks[d]!.length)) {
    throw new ArgumentError(
      "chunks",
      `as many chunks per dimension as the arrays (${first.chunks.map((c: readonly number[]) => c.length).join(" x ")})`,
      options.chunks ?? options.shape,
      "mapBlocks",
    );
  }
  const op = `mapBlocks-${++mapBlocksCount}`;
  defaultOps.register(
    op,
    (ctx: TaskContext, row0: number, col0: number, rows: number, cols: number, outValues: number, ...blocks: BufferViews[]) => {
      const values = fn(
        blocks.map((b) => b.f64()),
        { row0, col0, rows, cols },
      );
      if (values === null || typeof values !== "object" || typeof values.length !== "number") {
        throw new ArgumentError("fn", "a function returning the chunk's values (an array or typed array of numbers)", values, "mapBlocks");
      }
      const bad = firstNonFinite(values);
      if (bad >= 0 && typeof values[bad] !== "number")
        throw new ArgumentError("fn", `a result of numbers (entry ${bad} is not one)`, values[bad], "mapBlocks");
      if (values.length !== outValues)
        throw new ArgumentError("fn", `a result of ${outValues} values for this chunk`, `${values.length} values`, "mapBlocks");
      const out = ctx.alloc(8 * outValues);
      out.f64().set(values);
      return out;
    },
    { context: true },
  );
  const [rc, cc] = view(shape, chunks);
  const ro = offsets(first.rowChunks),
    co = offsets(first.colChunks);
  const name = uniqueName("map-blocks");
  const tasks: Task[] = [];
  for (let i = 0; i < rc.length; i++) {
    for (let j = 0; j < cc.length; j++) {
      const n = rc[i]! * cc[j]!;
      const args = [
        ro[i] ?? 0,
        co[j] ?? 0,
        first.rowChunks[i] ?? 0,
        first.colChunks[j] ?? 0,
        n,
        ...arrays.map((a) => ref(a.layer.keyAt(a.chunkIndex(i, j)))),
      ];
      tasks.push(taskWith(key(name, i * cc.length + j), op, args, { bytes: 8 * n }));
    }
  }
  return new ChunkedArray(new TaskLayer(name, tasks, [...new Set(arrays.map((a) => a.layer))]), shape, chunks);
}
