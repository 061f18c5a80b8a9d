/**
 * Where values sit: rechunking, row ranges, column selections, concatenation and the transpose
 * view. Each output chunk is assembled from the pieces of the input chunks it overlaps (one
 * `assemble` task), or is the input chunk itself when they coincide (no copy).
 */
import { ArgumentError } from "../errors.js";
import { key, uniqueName } from "../graph/keys.js";
import { TaskLayer, type Layer } from "../graph/layers.js";
import { ref, task, taskWith, type Task } from "../graph/task.js";
import { ChunkedArray, sameRuntime } from "./array.js";
import { describeShape, normalizeChunks, offsets, sameLengths, type ChunksSpec } from "./chunks.js";
import { withDType } from "./cast.js";
import { resultDType } from "./dtype.js";

/** Real chunks of an array of `ndim` dimensions from its 2-D view's row and column chunks. */
function realChunks(ndim: number, rowChunks: readonly number[], colChunks: readonly number[]): number[][] {
  return ndim === 2 ? [[...rowChunks], [...colChunks]] : ndim === 1 ? [[...colChunks]] : [];
}

/**
 * The part [r0, r1) x [c0, c1) of x's 2-D view, chunked as `rowChunks` x `colChunks` (which
 * must cover it): the general form of rechunk and slicing.
 */
function assembleFrom(
  x: ChunkedArray,
  r0: number,
  c0: number,
  rowChunks: readonly number[],
  colChunks: readonly number[],
  shape: readonly number[],
  prefix: string,
): ChunkedArray {
  const inRows = offsets(x.rowChunks),
    inCols = offsets(x.colChunks);
  const outRows = offsets(rowChunks),
    outCols = offsets(colChunks);
  const name = uniqueName(prefix);
  const tasks: Task[] = [];
  for (let i = 0; i < rowChunks.length; i++) {
    for (let j = 0; j < colChunks.length; j++) {
      const top = r0 + outRows[i]!,
        bottom = top + rowChunks[i]!;
      const left = c0 + outCols[j]!,
        right = left + colChunks[j]!;
      const pieces: unknown[][] = [];
      let alias: number | undefined;
      for (let a = 0; a < x.rowChunks.length; a++) {
        const rTop = Math.max(top, inRows[a]!),
          rBottom = Math.min(bottom, inRows[a + 1]!);
        if (rTop >= rBottom && !(rowChunks[i] === 0 && a === 0)) continue;
        for (let b = 0; b < x.colChunks.length; b++) {
          const cLeft = Math.max(left, inCols[b]!),
            cRight = Math.min(right, inCols[b + 1]!);
          if (cLeft >= cRight && !(colChunks[j] === 0 && b === 0)) continue;
          const k = x.chunkIndex(a, b);
          if (inRows[a] === top && inRows[a + 1] === bottom && inCols[b] === left && inCols[b + 1] === right) alias = k;
          pieces.push([
            ref(x.layer.keyAt(k)),
            x.colChunks[b]!,
            rTop - inRows[a]!,
            cLeft - inCols[b]!,
            rTop - top,
            cLeft - left,
            Math.max(0, rBottom - rTop),
            Math.max(0, cRight - cLeft),
          ]);
        }
      }
      const k = key(name, i * colChunks.length + j);
      const rows = rowChunks[i]!,
        cols = colChunks[j]!;
      tasks.push(
        alias !== undefined && pieces.length === 1
          ? taskWith(k, "identity", [ref(x.layer.keyAt(alias))], { bytes: 8 * rows * cols })
          : taskWith(k, "assemble", [pieces, rows, cols], { bytes: 8 * rows * cols }),
      );
    }
  }
  return new ChunkedArray(new TaskLayer(name, tasks, [x.layer]), shape, realChunks(shape.length, rowChunks, colChunks), {
    runtime: x.runtime,
  });
}

/** x with the given row and column chunks (in the 2-D view); x itself when it has them. */
export function rechunkTo(x: ChunkedArray, rowChunks: readonly number[], colChunks: readonly number[]): ChunkedArray {
  if (sameLengths(x.rowChunks, rowChunks) && sameLengths(x.colChunks, colChunks)) return x;
  return assembleFrom(x, 0, 0, rowChunks, colChunks, x.shape, "rechunk");
}

/** rechunk() computed in float64 (operands read as float64); rechunk() gives the result its dtype. */
function rechunkF64(x: ChunkedArray, spec: ChunksSpec): ChunkedArray {
  const chunks = normalizeChunks(x.shape, spec, "rechunk");
  if (x.ndim === 0) return x;
  return x.ndim === 2 ? rechunkTo(x, chunks[0]!, chunks[1]!) : rechunkTo(x, [1], chunks[0]!);
}

/** The chunks of [start, end) cut out of chunk lengths `lengths`. */
function clip(lengths: readonly number[], start: number, end: number): number[] {
  const o = offsets(lengths);
  const out: number[] = [];
  for (let a = 0; a < lengths.length; a++) {
    const n = Math.min(end, o[a + 1]!) - Math.max(start, o[a]!);
    if (n > 0) out.push(n);
  }
  return out.length > 0 ? out : [0];
}

/** rowRange() computed in float64 (operands read as float64); rowRange() gives the result its dtype. */
function rowRangeF64(x: ChunkedArray, start: number, end: number): ChunkedArray {
  if (x.ndim === 0) throw new ArgumentError("x", "an array of 1 or 2 dimensions", "a 0-D array", "rows");
  const n = x.shape[0]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new ArgumentError(
      "start, end",
      `whole numbers with 0 <= start <= end <= ${n}`,
      [start, end],
      `rows of ${describeShape(x.shape)}`,
    );
  }
  if (x.ndim === 1) return assembleFrom(x, 0, start, [1], clip(x.colChunks, start, end), [end - start], "rows");
  return assembleFrom(x, start, 0, clip(x.rowChunks, start, end), x.colChunks, [end - start, x.shape[1]!], "rows");
}

/** takeColumns() computed in float64 (operands read as float64); takeColumns() gives the result its dtype. */
function takeColumnsF64(x: ChunkedArray, indices: readonly number[]): ChunkedArray {
  if (x.ndim !== 2) throw new ArgumentError("x", "a 2-D array", `shape ${describeShape(x.shape)}`, "columns");
  const cols = x.shape[1]!;
  if (!Array.isArray(indices) || indices.some((c) => !Number.isInteger(c) || c < 0 || c >= cols)) {
    throw new ArgumentError("indices", `column indices in [0, ${cols})`, indices, `columns of ${describeShape(x.shape)}`);
  }
  const one = rechunkTo(x, x.rowChunks, [cols]);
  const name = uniqueName("columns");
  const tasks = x.rowChunks.map((rows, i) =>
    taskWith(key(name, i), "takeColumns", [ref(one.layer.keyAt(i)), rows, cols, [...indices]], { bytes: 8 * rows * indices.length }),
  );
  return new ChunkedArray(new TaskLayer(name, tasks, [one.layer]), [x.shape[0]!, indices.length], [[...x.rowChunks], [indices.length]], {
    runtime: x.runtime,
  });
}

/** transpose() computed in float64 (operands read as float64); transpose() gives the result its dtype. */
function transposeF64(x: ChunkedArray): ChunkedArray {
  if (x.ndim < 2) return x;
  if (x.transposeOf) return x.transposeOf;
  const makeLayer = (): Layer => {
    const name = uniqueName("transpose");
    const [gr, gc] = x.grid;
    const tasks: Task[] = [];
    // chunk (j, i) of the transpose is the transpose of chunk (i, j)
    for (let j = 0; j < gc; j++) {
      for (let i = 0; i < gr; i++) {
        const rows = x.rowChunks[i]!,
          cols = x.colChunks[j]!;
        tasks.push(
          taskWith(key(name, j * gr + i), "transpose", [ref(x.layer.keyAt(x.chunkIndex(i, j))), rows, cols], { bytes: 8 * rows * cols }),
        );
      }
    }
    return new TaskLayer(name, tasks, [x.layer]);
  };
  return new ChunkedArray(makeLayer, [x.shape[1]!, x.shape[0]!], [[...x.colChunks], [...x.rowChunks]], {
    runtime: x.runtime,
    transposeOf: x,
  });
}

/** concatenate() computed in float64 (operands read as float64); concatenate() gives the result its dtype. */
function concatenateF64(arrays: readonly ChunkedArray[], axis = 0): ChunkedArray {
  if (!Array.isArray(arrays) || arrays.length === 0) throw new ArgumentError("arrays", "a non-empty list of arrays", arrays, "concatenate");
  for (const [i, a] of arrays.entries())
    if (!(a instanceof ChunkedArray)) throw new ArgumentError(`arrays[${i}]`, "a ChunkedArray", a, "concatenate");
  const first = arrays[0]!;
  const ndim = first.ndim;
  if (ndim === 0) throw new ArgumentError("arrays", "arrays of 1 or 2 dimensions", "0-D arrays", "concatenate");
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim)
    throw new ArgumentError("axis", ndim === 2 ? "0 or 1 (or -2, -1)" : "0 (or -1)", axis, "concatenate");
  if (axis < 0) axis += ndim; // NumPy's: counted from the last axis
  const runtime = sameRuntime(arrays);
  const along = ndim === 1 ? 1 : axis; // the axis in the 2-D view
  const other = 1 - along;
  for (const a of arrays) {
    const same = a.ndim === ndim && (ndim === 1 || a.shape[other] === first.shape[other]);
    if (!same) {
      throw new ArgumentError(
        "arrays",
        `arrays of ${ndim} dimensions matching ${describeShape(first.shape)} except along axis ${axis}`,
        describeShape(a.shape),
        "concatenate",
      );
    }
  }
  // the other dimension chunked like the first array
  const aligned = arrays.map((a) =>
    along === 0 ? rechunkTo(a, a.rowChunks, first.colChunks) : rechunkTo(a, first.rowChunks, a.colChunks),
  );
  const name = uniqueName("concatenate");
  const rowChunks = along === 0 ? aligned.flatMap((a) => a.rowChunks) : [...first.rowChunks];
  const colChunks = along === 1 ? aligned.flatMap((a) => a.colChunks) : [...first.colChunks];
  const tasks: Task[] = new Array<Task>(rowChunks.length * colChunks.length);
  let rowBase = 0,
    colBase = 0;
  for (const a of aligned) {
    const [gr, gc] = a.grid;
    for (let i = 0; i < gr; i++) {
      for (let j = 0; j < gc; j++) {
        const ii = rowBase + i,
          jj = colBase + j;
        const at = ii * colChunks.length + jj; // a layer's tasks are listed in chunk order
        tasks[at] = task(key(name, at), "identity", ref(a.layer.keyAt(a.chunkIndex(i, j))));
      }
    }
    if (along === 0) rowBase += gr;
    else colBase += gc;
  }
  const shape =
    ndim === 1
      ? [arrays.reduce((s, a) => s + a.shape[0]!, 0)]
      : axis === 0
        ? [arrays.reduce((s, a) => s + a.shape[0]!, 0), first.shape[1]!]
        : [first.shape[0]!, arrays.reduce((s, a) => s + a.shape[1]!, 0)];
  return new ChunkedArray(
    new TaskLayer(name, tasks, [...new Set(aligned.map((a) => a.layer))]),
    shape,
    realChunks(ndim, rowChunks, colChunks),
    { runtime },
  );
}

// ---- the public forms: values keep their dtype wherever they move ----

/** x rechunked as `spec` says (a chunk length, or per dimension a length or the list). */
export function rechunk(x: ChunkedArray, spec: ChunksSpec): ChunkedArray {
  const result = rechunkF64(x, spec);
  return withDType(result, x.dtype);
}

/** Rows [start, end) of a 2-D array, elements [start, end) of a 1-D one. */
export function rowRange(x: ChunkedArray, start: number, end: number): ChunkedArray {
  const result = rowRangeF64(x, start, end);
  return withDType(result, x.dtype);
}

/** The columns at `indices` of a 2-D array, in that order (one column chunk). */
export function takeColumns(x: ChunkedArray, indices: readonly number[]): ChunkedArray {
  const result = takeColumnsF64(x, indices);
  return withDType(result, x.dtype);
}

/** The transpose of a 2-D array as a view (1-D and 0-D arrays are their own transpose). */
export function transpose(x: ChunkedArray): ChunkedArray {
  if (!(x instanceof ChunkedArray)) throw new ArgumentError("x", "a ChunkedArray", x, "transpose");
  const result = transposeF64(x);
  return withDType(result, x.dtype);
}

/** Arrays joined along `axis` (0: rows of 2-D arrays, or elements of 1-D ones; 1: columns); float32 when all are. */
export function concatenate(arrays: readonly ChunkedArray[], axis = 0): ChunkedArray {
  const result = concatenateF64(arrays, axis);
  return withDType(result, resultDType(...arrays));
}
