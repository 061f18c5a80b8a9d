/**
 * Splitting rows: KFold (contiguous folds, or shuffled with a seed) and trainTestSplit, and
 * selectRows, which gathers rows of a chunked array by index (runs of consecutive rows become
 * one copy each).
 */
import { ArgumentError } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { offsets } from "../array/chunks.js";
import { withDType } from "../array/cast.js";
import { key, uniqueName } from "../graph/keys.js";
import { TaskLayer } from "../graph/layers.js";
import { IDENTITY } from "../graph/ops.js";
import { ref, task, taskWith, type Ref, type Task } from "../graph/task.js";
import { checkBoolean, checkInteger, checkOptions } from "../validate.js";

/**
 * The most rows a split takes: row indices are Int32Arrays. The check comes before any
 * allocation: 2^32 rows asked for 16 GiB of indices, and the process was killed for it.
 */
const MAX_SPLIT_ROWS = 2 ** 31 - 1;

/** A row count for a split: a whole number in [min, MAX_SPLIT_ROWS], named `name`. */
function checkRows(n: unknown, name: string, where: string, min = 0, expected = "a whole number of rows"): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) throw new ArgumentError(name, expected, n, where);
  if (n > MAX_SPLIT_ROWS) throw new ArgumentError(name, `at most ${MAX_SPLIT_ROWS} rows (row indices are Int32Arrays)`, n, where);
  return n;
}

/** A small seeded generator (mulberry32), uniform in [0, 1): the same seed, the same shuffles. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0 .. n-1, shuffled with `seed` when given. */
export function permutation(n: number, seed?: number): Int32Array {
  checkRows(n, "n", "permutation");
  checkInteger(seed, "seed", "permutation");
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (seed === undefined) return out;
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One fold: the row indices to train on and to test on. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/**
 * K-fold cross-validation: `split(n)` gives each fold's train and test rows (shuffled with a seed,
 * or in order).
 */
export class KFold {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed: number;

  constructor(options: { nSplits?: number; shuffle?: boolean; seed?: number } = {}) {
    checkOptions(options, "KFold", ["nSplits", "shuffle", "seed"]);
    this.nSplits = options.nSplits ?? 5;
    if (!Number.isInteger(this.nSplits) || this.nSplits < 2)
      throw new ArgumentError("nSplits", "a whole number >= 2", this.nSplits, "KFold");
    this.shuffle = checkBoolean(options.shuffle, "shuffle", "KFold") ?? false;
    this.seed = checkInteger(options.seed, "seed", "KFold") ?? 0;
  }

  /** The folds of n rows: test sets of sizes differing by at most one, covering every row once. */
  split(n: number): Fold[] {
    checkRows(n, "rows", "KFold.split", this.nSplits, `at least as many rows as folds (${this.nSplits})`);
    const order = permutation(n, this.shuffle ? this.seed : undefined);
    const folds: Fold[] = [];
    let start = 0;
    for (let f = 0; f < this.nSplits; f++) {
      const size = Math.floor(n / this.nSplits) + (f < n % this.nSplits ? 1 : 0);
      const test = order.slice(start, start + size).sort();
      // copied, not spread through a JS array of n numbers
      const train = new Int32Array(n - size);
      train.set(order.subarray(0, start));
      train.set(order.subarray(start + size), start);
      train.sort();
      folds.push({ train, test });
      start += size;
    }
    return folds;
  }
}

/** Rows `indices` of x (in that order), as a new chunked array chunked like x's first chunk. */
export function selectRows(x: ChunkedArray, indices: ArrayLike<number>): ChunkedArray {
  if (!(x instanceof ChunkedArray) || x.ndim === 0) throw new ArgumentError("x", "a 1-D or 2-D ChunkedArray", x, "selectRows");
  if (indices === null || typeof indices !== "object" || typeof indices.length !== "number") {
    throw new ArgumentError("indices", "an array or typed array of row indices", indices, "selectRows");
  }
  const n = x.shape[0]!;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new ArgumentError("indices", `row indices in [0, ${n})`, r, "selectRows");
  }
  const is2d = x.ndim === 2;
  const cols = is2d ? x.shape[1]! : 1;
  const one = is2d ? x.rechunk([x.rowChunks as number[], [cols]]) : x;
  const inRows = is2d ? one.rowChunks : one.colChunks; // a 1-D array's elements are its "rows"
  const starts = offsets(inRows);
  const chunkOf = (r: number) => {
    let lo = 0,
      hi = inRows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const per = Math.max(1, inRows[0] ?? 1);
  const total = indices.length;
  const name = uniqueName("rows");
  const tasks: Task[] = [];
  const outChunks: number[] = [];
  for (let s = 0; s < Math.max(total, 1); s += per) {
    const m = Math.min(per, total - s);
    const pieces: unknown[][] = [];
    let whole: Ref | undefined; // set when this output chunk is exactly one input chunk
    let t = 0;
    while (t < m) {
      const r = indices[s + t]!;
      const c = chunkOf(r);
      let run = 1;
      while (t + run < m && indices[s + t + run] === r + run && r + run < starts[c + 1]!) run++;
      const k = is2d ? one.chunkIndex(c, 0) : c;
      whole = t === 0 && run === m && r === starts[c] && run === inRows[c] ? ref(one.layer.keyAt(k)) : undefined;
      // a 1-D chunk is one row of values: its "rows" are columns of that row
      pieces.push(
        is2d
          ? [ref(one.layer.keyAt(k)), cols, r - starts[c]!, 0, t, 0, run, cols]
          : [ref(one.layer.keyAt(k)), inRows[c]!, 0, r - starts[c]!, 0, t, 1, run],
      );
      t += run;
    }
    // a whole input chunk (contiguous folds on chunk boundaries) is passed through, not copied
    tasks.push(
      whole
        ? task(key(name, tasks.length), IDENTITY, whole)
        : taskWith(key(name, tasks.length), "assemble", is2d ? [pieces, m, cols] : [pieces, 1, m], { bytes: 8 * m * cols }),
    );
    outChunks.push(m);
    if (total === 0) break;
  }
  const shape = is2d ? [total, cols] : [total];
  const chunks = is2d ? [outChunks, [cols]] : [outChunks];
  return withDType(new ChunkedArray(new TaskLayer(name, tasks, [one.layer]), shape, chunks, { runtime: x.runtime }), x.dtype);
}

/** Train and test parts of X and y: `testSize` a fraction in (0, 1) or a row count. */
export function trainTestSplit(
  X: ChunkedArray,
  y: ChunkedArray,
  options: { testSize?: number; shuffle?: boolean; seed?: number } = {},
): { XTrain: ChunkedArray; XTest: ChunkedArray; yTrain: ChunkedArray; yTest: ChunkedArray } {
  if (!(X instanceof ChunkedArray) || X.ndim === 0 || X.ndim > 2)
    throw new ArgumentError("X", "a 1-D or 2-D ChunkedArray", X, "trainTestSplit");
  options = checkOptions(options, "trainTestSplit", ["testSize", "shuffle", "seed"]);
  const shuffle = checkBoolean(options.shuffle, "shuffle", "trainTestSplit") ?? true;
  const seed = checkInteger(options.seed, "seed", "trainTestSplit") ?? 0;
  const n = checkRows(X.shape[0], "X", "trainTestSplit");
  if (!(y instanceof ChunkedArray) || y.shape[0] !== n)
    throw new ArgumentError(
      "y",
      `an array of ${n} values (one per row of X)`,
      y instanceof ChunkedArray ? `shape [${y.shape.join(", ")}]` : y,
      "trainTestSplit",
    );
  const size = options.testSize ?? 0.25;
  // a string like "0.2" would be compared as a number in silence
  const tests = typeof size !== "number" ? NaN : size > 0 && size < 1 ? Math.ceil(size * n) : size;
  if (!Number.isInteger(tests) || tests < 1 || tests >= n)
    throw new ArgumentError("testSize", `a fraction in (0, 1) or a whole number of rows in [1, ${n - 1}]`, size, "trainTestSplit");
  const order = permutation(n, shuffle ? seed : undefined);
  const test = order.slice(n - tests).sort();
  const train = order.slice(0, n - tests).sort();
  return { XTrain: selectRows(X, train), XTest: selectRows(X, test), yTrain: selectRows(y, train), yTest: selectRows(y, test) };
}
