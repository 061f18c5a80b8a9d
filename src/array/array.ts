/**
 * Chunked arrays: lazy 0-, 1- and 2-D float64 (or float32) arrays whose chunks are tasks of a graph layer
 * (dask.array's role). An operation makes a new layer pointing at its inputs' layers (nothing is
 * copied, nothing runs); `compute()` compiles the graph (fusing chains of elementwise layers into
 * one task per chunk) and runs it on a Runtime. Methods follow NumPy's names.
 *
 * Chunk (i, j) of a 2-D array is the layer's chunk i * (column chunks) + j, a row-major block.
 * A 1-D array is one row of values in the 2-D view (its chunks are column chunks there); a 0-D
 * array (what a full reduction gives) is one value, usually a number.
 *
 * This module is the array itself: its geometry, its layer, computing and persisting it. The
 * methods with NumPy's names (add, exp, sum, matmul, T, rechunk, astype...) are declared and
 * installed by methods.ts over the operation modules (elementwise, reduce, linalg, layout),
 * which build on this one: so no module of the layer imports one that imports it back.
 */
import { ArgumentError } from "../errors.js";
import { InputLayer, type Layer } from "../graph/layers.js";
import { Allocation } from "../memory/index.js";
import { getDefaultRuntime, Runtime } from "../runtime/runtime.js";
import { checkBoolean, checkFunction, checkOptions, checkSignal, checkTimeout } from "../validate.js";
import { describeShape, grid, offsets, type Chunks, type Shape } from "./chunks.js";
import { bytesPer, widenedLayer, type DType } from "./dtype.js";
import { gridOf, type ChunkGrid } from "./grid.js";

/** An operand of elementwise math: an array or a number. */
export type Operand = ChunkedArray | number;

/**
 * How an array was made, when an operation may want to recognize it: `X.T.matmul(sigmoid(
 * X.matmul(w)) - y)` is recognized as the logistic gradient and runs the fused GLM kernel.
 */
export interface Expression {
  readonly op: string;
  readonly args: readonly Operand[];
}

/** Options of computing arrays: the runtime, an abort signal, progress. */
export interface ComputeArrayOptions {
  /** The runtime to run on (default: the array's own, if persisted, else the default runtime). */
  runtime?: Runtime;
  signal?: AbortSignal;
  /** Tasks done out of the total, as they finish (at most every 50 ms, and at the end). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Use the runtime's plan cache (default true): a graph with the structure of one computed
   * before (the same operations on arrays chunked alike, other data) runs that plan.
   */
  cache?: boolean;
  /** Run every task on the calling thread (true), use the workers (false), or decide by measured cost ('auto', the default). */
  inline?: boolean | "auto";
  /** Most milliseconds the computation may take (default: the runtime's); past it, TimeoutError. */
  timeoutMs?: number;
}

/** Options of one array's `compute()` and `toTypedArray()`. */
export interface ComputeIntoOptions extends ComputeArrayOptions {
  /**
   * Fill this array with the values instead of allocating a new one, and return it: a
   * Float64Array (a Float32Array for a float32 array) of exactly `size` values, not a view of
   * the runtime's memory. Reusing one saves allocating a fresh result on every call, which costs
   * more than copying it wherever the system is slow to hand out new memory pages (see
   * bench/README.md, "Measured decisions").
   */
  out?: Float64Array | Float32Array;
}

/** Options of reductions: the tree's fan-in and whether the reduced axis is kept. */
export interface ReduceOptions {
  /** Partial results combined per level of the reduction tree (Dask's split_every; default 8). */
  splitEvery?: number;
  /** Keep the reduced axis as length 1 (for broadcasting against the input). */
  keepdims?: boolean;
}

/**
 * A lazy 1-D or 2-D float64 (or float32) array cut into chunks along rows (and optionally
 * columns), with NumPy's methods. Operations record work; `compute()`, `toTypedArray()` or
 * `persist()` run it.
 */
export class ChunkedArray {
  readonly shape: readonly number[];
  readonly chunks: Chunks;
  /** The runtime whose memory holds this array's chunks (persisted arrays), if any. */
  readonly runtime: Runtime | undefined;
  private layerCache: Layer | undefined;
  private widenedCache: Layer | undefined;
  private readonly makeLayer: (() => Layer) | undefined;
  /** The element type: float64, or float32 where requested (see astype()). */
  readonly dtype: DType;
  /** For a transposed view: the array it transposes. */
  readonly transposeOf: ChunkedArray | undefined;
  private persisted: Allocation[] | undefined;

  /** @internal arrays are made by the creation functions and operations */
  constructor(
    layer: Layer | (() => Layer),
    shape: Shape,
    chunks: Chunks,
    options: { runtime?: Runtime; transposeOf?: ChunkedArray; persisted?: Allocation[]; expr?: Expression; dtype?: DType } = {},
  ) {
    if (typeof layer === "function") this.makeLayer = layer;
    else this.layerCache = layer;
    this.shape = [...shape];
    // shared, frozen: arrays derived from one another keep one chunks object (and its grid)
    this.chunks =
      Object.isFrozen(chunks) && chunks.every((c) => Object.isFrozen(c))
        ? chunks
        : Object.freeze(chunks.map((c) => (Object.isFrozen(c) ? c : Object.freeze([...c]))));
    this.runtime = options.runtime;
    this.transposeOf = options.transposeOf;
    this.persisted = options.persisted;
    this.expr = options.expr;
    this.dtype = options.dtype ?? "float64";
  }

  /** What made this array (for operations that recognize patterns), if recorded. */
  readonly expr: Expression | undefined;

  /** The layer whose chunks are this array's values as stored (4 bytes a value for float32). */
  get storageLayer(): Layer {
    this.layerCache ??= this.makeLayer!();
    return this.layerCache;
  }

  /**
   * The buffers holding a persisted array's chunks, in chunk order (row-major over the chunk
   * grid): what a task graph of one's own passes to its ops, as Dask's `to_delayed()` hands out
   * an array's blocks. They stay the array's: valid until `release()`. Throws an ArgumentError
   * for an array that is not persisted (its chunks are not computed yet).
   */
  chunkBuffers(): Allocation[] {
    const stored = this.storageLayer;
    if (!(stored instanceof InputLayer))
      throw new ArgumentError("this", "a persisted array (persist() it first)", this.toString(), "chunkBuffers");
    return stored.values as Allocation[];
  }

  /**
   * The layer operations read: the chunks as float64 values. For a float64 array the chunks
   * themselves; for a float32 one, a blockwise widening of them, which fuses into the task
   * that reads them.
   */
  get layer(): Layer {
    if (this.dtype === "float64") return this.storageLayer;
    this.widenedCache ??= widenedLayer(this);
    return this.widenedCache;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of values. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Bytes per value as stored. */
  get itemsize(): number {
    return bytesPer(this.dtype);
  }

  /** Chunks per dimension in the 2-D view: [row chunks, column chunks]. */
  get grid(): [number, number] {
    const [a, b] = grid(this.chunks);
    return this.ndim === 1 ? [1, a] : [a, b];
  }

  /** Row chunk lengths in the 2-D view (1-D: one row; 0-D: one value). */
  get rowChunks(): readonly number[] {
    return this.ndim === 2 ? this.chunks[0]! : [1];
  }

  /** Column chunk lengths in the 2-D view. */
  get colChunks(): readonly number[] {
    return this.ndim === 2 ? this.chunks[1]! : this.ndim === 1 ? this.chunks[0]! : [1];
  }

  /** The chunk grid of the 2-D view, with its per-chunk tables (rows, offsets, bytes, ...). */
  get chunkGrid(): ChunkGrid {
    return gridOf(this.chunks, this.rowChunks, this.colChunks);
  }

  /** Layer chunk index of chunk (i, j) in the 2-D view. */
  chunkIndex(i: number, j: number): number {
    return this.ndim === 2 ? i * this.chunks[1]!.length + j : this.ndim === 1 ? j : 0;
  }

  /** Starting row and column of each chunk, in the 2-D view. */
  get rowOffsets(): number[] {
    return offsets(this.rowChunks);
  }

  get colOffsets(): number[] {
    return offsets(this.colChunks);
  }

  toString(): string {
    const dtype = this.dtype === "float64" ? "" : `, dtype ${this.dtype}`; // float64 goes without saying
    return `ChunkedArray(shape ${describeShape(this.shape)}, chunks ${JSON.stringify(this.chunks)}${dtype})`;
  }

  // ---- computing ----

  /**
   * Computes the array: a number for a 0-D array, else its values row-major in a Float64Array
   * (a Float32Array for a float32 array).
   */
  async compute(options?: ComputeIntoOptions): Promise<number | Float64Array | Float32Array> {
    const { out, ...rest } = checkComputeOptions(options, "compute", true);
    if (out === undefined) return (await computeArrays([this], rest))[0]!;
    const runtime = await runtimeFor([this], rest.runtime);
    checkOut(this, out, runtime); // before any work
    const [value] = await computeArrays([this], { ...rest, runtime }, [out]);
    return value!;
  }

  /** The values row-major in a Float64Array (Float32Array for float32; a 0-D array gives one value). */
  async toTypedArray(options: ComputeIntoOptions = {}): Promise<Float64Array | Float32Array> {
    const v = await this.compute(options);
    if (typeof v !== "number") return v;
    return options.out ?? (this.dtype === "float32" ? Float32Array.of(v) : Float64Array.of(v));
  }

  /**
   * Computes the chunks and keeps them in the runtime's shared memory: the array returned reads
   * them directly, across computes, until release() (or the runtime's close).
   */
  async persist(options?: ComputeArrayOptions): Promise<ChunkedArray> {
    options = checkComputeOptions(options, "persist", false);
    const runtime = await runtimeFor([this], options.runtime);
    const stored = this.storageLayer;
    const values = await runtime.computeLayers([stored], {
      outputs: "keep",
      signal: options.signal,
      onProgress: options.onProgress,
      cache: options.cache,
      inline: options.inline,
      timeoutMs: options.timeoutMs,
    });
    const allocations = values as Allocation[];
    // an input layer: graphs reading it compile to plans that take its chunks as inputs
    const layer = new InputLayer(`${stored.name}-persisted`, allocations, this.chunkGrid.bytes(this.itemsize));
    return new ChunkedArray(layer, this.shape, this.chunks, { runtime, persisted: allocations, dtype: this.dtype });
  }

  /** Whether the chunks are persisted in a runtime's memory (see persist()). */
  get isPersisted(): boolean {
    return this.persisted !== undefined;
  }

  /** Frees the chunks of a persisted array (a no-op for others). The array must not be used after. */
  release(): void {
    for (const a of this.persisted ?? []) if (!a.freed) a.free();
    this.persisted = undefined;
  }
}

const COMPUTE_OPTIONS = ["runtime", "signal", "onProgress", "cache", "inline", "timeoutMs"];

/** Checks compute()'s (or persist()'s) options, each by name, before any work. */
function checkComputeOptions<T extends ComputeIntoOptions>(options: T | undefined, where: string, withOut: boolean): T {
  const o = checkOptions(options, where, withOut ? [...COMPUTE_OPTIONS, "out"] : COMPUTE_OPTIONS);
  if (o.runtime !== undefined && !(o.runtime instanceof Runtime))
    throw new ArgumentError("runtime", "a Runtime (from Runtime.start)", o.runtime, where);
  checkSignal(o.signal, "signal", where);
  checkFunction(o.onProgress, "onProgress", where);
  checkBoolean(o.cache, "cache", where);
  if (o.inline !== undefined && o.inline !== true && o.inline !== false && o.inline !== "auto")
    throw new ArgumentError("inline", "true, false or 'auto'", o.inline, where);
  checkTimeout(o.timeoutMs, "timeoutMs", where);
  return o;
}

/** The runtime to use for `arrays`: the one given, theirs, or the default; two different ones fail. */
export async function runtimeFor(arrays: readonly ChunkedArray[], given: Runtime | undefined): Promise<Runtime> {
  const own = sameRuntime(arrays);
  if (given && own && given !== own) {
    throw new ArgumentError("runtime", "the runtime whose memory holds the persisted arrays", "another runtime", "compute");
  }
  return given ?? own ?? (await getDefaultRuntime());
}

/** The runtime the arrays are bound to (at most one); throws when two differ. */
export function sameRuntime(arrays: readonly ChunkedArray[]): Runtime | undefined {
  let found: ChunkedArray | undefined;
  for (const a of arrays) {
    if (!a.runtime) continue;
    if (found && found.runtime !== a.runtime) {
      throw new ArgumentError(
        "arrays",
        `arrays of one runtime (persisted arrays of shapes ${describeShape(found.shape)} and ${describeShape(a.shape)} come from two runtimes)`,
        "arrays of two runtimes",
        "array operation",
      );
    }
    found ??= a;
  }
  return found?.runtime;
}

/** Checks a `compute({ out })` target against the array it is to hold and the runtime to fill it. */
function checkOut(a: ChunkedArray, out: unknown, runtime: Runtime): void {
  const Want = a.dtype === "float32" ? Float32Array : Float64Array;
  if (!(out instanceof Want) || out.length !== a.size) {
    const got = out instanceof Float64Array || out instanceof Float32Array ? `${out.constructor.name} of ${out.length} values` : out;
    throw new ArgumentError("out", `a ${Want.name} of ${a.size} values (the array's size, ${a.dtype})`, got, "compute");
  }
  // the chunks it is filled from live in the runtime's memory: a view of it could overlap them
  if (out.buffer === runtime.memory.buffer()) {
    throw new ArgumentError(
      "out",
      "an array of your own (not a view of the runtime's memory)",
      "a view of the runtime's memory",
      "compute",
    );
  }
}

/**
 * Computes several arrays in one graph (shared work is done once). `outs[i]`, when given (and
 * already checked), receives array i's values.
 */
export async function computeArrays(
  arrays: readonly ChunkedArray[],
  options: ComputeArrayOptions = {},
  outs: readonly (Float64Array | Float32Array | undefined)[] = [],
): Promise<(number | Float64Array | Float32Array)[]> {
  for (const [i, a] of arrays.entries()) {
    if (!(a instanceof ChunkedArray)) throw new ArgumentError(`arrays[${i}]`, "a ChunkedArray", a, "compute");
  }
  options = checkComputeOptions(options, "compute", false);
  const runtime = await runtimeFor(arrays, options.runtime);
  const layers = [...new Set(arrays.map((a) => a.storageLayer))];
  // kept in shared memory (not copied out as float64) so that float32 chunks are read as such;
  // described by layer, so that a loop's next graph finds its plan in O(layers)
  const values = await runtime.computeLayers(layers, {
    signal: options.signal,
    outputs: "keep",
    onProgress: options.onProgress,
    cache: options.cache,
    inline: options.inline,
    timeoutMs: options.timeoutMs,
  });
  try {
    const first = new Map<Layer, number>();
    let at = 0;
    for (const l of layers) {
      first.set(l, at);
      at += l.size;
    }
    return arrays.map((a, i) => {
      const from = first.get(a.storageLayer)!;
      return assembleResult(a, values.slice(from, from + a.storageLayer.size), outs[i]);
    });
  } finally {
    for (const v of values) if (v instanceof Allocation && !v.freed) v.free();
  }
}

/** A computed chunk's values in a typed array of the array's dtype (a view while the chunk lives). */
function chunkData(a: ChunkedArray, v: unknown): Float64Array | Float32Array {
  if (typeof v === "number") return a.dtype === "float32" ? Float32Array.of(v) : Float64Array.of(v);
  if (v instanceof Float64Array || v instanceof Float32Array) return v;
  const buffer = v as Allocation;
  return a.dtype === "float32" ? buffer.f32() : buffer.f64();
}

/** Puts computed chunks (buffers, or numbers) together, row-major, into `given` or a new array. */
function assembleResult(a: ChunkedArray, chunks: unknown[], given?: Float64Array | Float32Array): number | Float64Array | Float32Array {
  if (a.ndim === 0) {
    const v = chunks[0];
    const value = typeof v === "number" ? v : chunkData(a, v)[0]!;
    if (given) given[0] = value;
    return value;
  }
  const out = given ?? (a.dtype === "float32" ? new Float32Array(a.size) : new Float64Array(a.size));
  const [gr, gc] = a.grid;
  const ro = a.rowOffsets,
    co = a.colOffsets;
  const cols = a.ndim === 2 ? a.shape[1]! : a.shape[0]!;
  for (let i = 0; i < gr; i++) {
    for (let j = 0; j < gc; j++) {
      const v = chunks[a.chunkIndex(i, j)];
      const data = chunkData(a, v);
      const nr = a.rowChunks[i]!,
        nc = a.colChunks[j]!;
      // a chunk as wide as the array is one contiguous block of the result
      if (nc === cols) out.set(data.subarray(0, nr * nc), ro[i]! * cols);
      else for (let r = 0; r < nr; r++) out.set(data.subarray(r * nc, (r + 1) * nc), (ro[i]! + r) * cols + co[j]!);
    }
  }
  return out;
}
