/**
 * Elementwise operations with NumPy's broadcasting (for up to two dimensions). Whenever the
 * chunks line up (same shape, or a number, or a one-chunk vector or value against a matrix), the
 * result is a BlockwiseLayer: compile() fuses chains of them into one task per chunk. Other
 * broadcasts (a row against a column, a vector chunked unlike the matrix) become explicit tasks.
 */
import { ArgumentError } from "../errors.js";
import { BlockwiseLayer, TaskLayer, type BlockwiseInput, type Layer } from "../graph/layers.js";
import { key } from "../graph/keys.js";
import { uniqueName } from "../graph/keys.js";
import { ref, taskWith, type Arg } from "../graph/task.js";
import { ChunkedArray, sameRuntime, type Expression, type Operand } from "./array.js";
import { checkChunkCount, describeShape, sameChunks } from "./chunks.js";
import { rechunkTo } from "./layout.js";
import { COL, FULL, NUMBER, ROW, SCALAR } from "./ops.js";
import { withDType } from "./cast.js";
import { resultDType } from "./dtype.js";

/** Ops with a SIMD kernel for (buffer, buffer), (buffer, number) and (number, buffer). */
const KERNEL_BINARY = new Set(["add", "sub", "mul", "div", "pow", "min", "max"]);
export const COMPARISONS = new Set(["lt", "le", "gt", "ge", "eq", "ne"]);

export function checkArray(x: unknown, name: string, where: string): ChunkedArray {
  if (!(x instanceof ChunkedArray)) throw new ArgumentError(name, "a ChunkedArray", x, where);
  return x;
}

function checkOperand(x: unknown, name: string, where: string): Operand {
  if (typeof x === "number") return x;
  return checkArray(x, name, where);
}

/** A new array over `layer` with x's shape and chunks, made by `expr`. */
function like(x: ChunkedArray, layer: Layer, runtime = x.runtime, expr?: Expression): ChunkedArray {
  return new ChunkedArray(layer, x.shape, x.chunks, { runtime, expr });
}

/** unary() computed in float64 (operands read as float64); unary() gives the result its dtype. */
export function unaryF64(op: string, x: ChunkedArray): ChunkedArray {
  checkArray(x, "x", op);
  if (x.ndim === 0) return like(x, new BlockwiseLayer("scalarMath", [{ literal: op }, x.layer]));
  return like(x, new BlockwiseLayer(op, [x.layer], { bytes: x.chunkGrid.bytes(8) }), x.runtime, { op, args: [x] });
}

/** Shapes padded to two dimensions: [rows, cols]. */
const as2d = (shape: readonly number[]): [number, number] =>
  shape.length === 2 ? [shape[0]!, shape[1]!] : shape.length === 1 ? [1, shape[0]!] : [1, 1];

/**
 * The broadcast shape of a and b (NumPy's rules), or an ArgumentError naming both shapes.
 */
export function broadcastShape(a: readonly number[], b: readonly number[], where: string): number[] {
  const [ra, ca] = as2d(a),
    [rb, cb] = as2d(b);
  const dim = (x: number, y: number) => (x === y ? x : x === 1 ? y : y === 1 ? x : -1);
  const r = dim(ra, rb),
    c = dim(ca, cb);
  if (r < 0 || c < 0) {
    throw new ArgumentError(
      "shapes",
      "shapes that broadcast together (each dimension equal, or 1)",
      `${describeShape(a)} and ${describeShape(b)}`,
      where,
    );
  }
  const ndim = Math.max(a.length, b.length);
  return ndim === 2 ? [r, c] : ndim === 1 ? [c] : [];
}

/** binary() computed in float64 (operands read as float64); binary() gives the result its dtype. */
export function binaryF64(op: string, a: Operand, b: Operand): ChunkedArray {
  checkOperand(a, "a", op);
  checkOperand(b, "b", op);
  if (typeof a === "number" && typeof b === "number") {
    throw new ArgumentError("a, b", "at least one ChunkedArray", [a, b], op);
  }
  const runtime = sameRuntime([a, b].filter((x): x is ChunkedArray => x instanceof ChunkedArray));
  const kernelOp = KERNEL_BINARY.has(op);
  if (!kernelOp && !COMPARISONS.has(op)) throw new ArgumentError("op", "an elementwise binary op", op, "binary");
  // an array and a number
  if (typeof a === "number" || typeof b === "number") {
    const x = (typeof a === "number" ? b : a) as ChunkedArray;
    if (x.ndim === 0) return like(x, new BlockwiseLayer("scalarMath", [{ literal: op }, ...ordered(a, b, x.layer)]), runtime);
    const bytes = x.chunkGrid.bytes(8);
    if (kernelOp) return like(x, new BlockwiseLayer(op, ordered(a, b, x.layer), { bytes }), runtime);
    const [xKind, n] = [FULL, typeof a === "number" ? a : (b as number)];
    const args: BlockwiseInput[] =
      typeof a === "number"
        ? [{ literal: op }, { literal: n }, { literal: NUMBER }, x.layer, { literal: xKind }]
        : [{ literal: op }, x.layer, { literal: xKind }, { literal: n }, { literal: NUMBER }];
    return like(x, new BlockwiseLayer("broadcast", [...args, ...WHOLE_CHUNK], { bytes }), runtime);
  }
  // two arrays
  if (a.ndim === 0 && b.ndim === 0) return like(a, new BlockwiseLayer("scalarMath", [{ literal: op }, a.layer, b.layer]), runtime);
  const shape = broadcastShape(a.shape, b.shape, op);
  if (a.ndim === 0 || b.ndim === 0) {
    // a reduction's value (a number at run time) against an array: chunk 0 is broadcast
    const x = a.ndim === 0 ? b : a;
    const bytes = x.chunkGrid.bytes(8);
    if (kernelOp) return like(x, new BlockwiseLayer(op, [a.layer, b.layer], { bytes }), runtime);
    const args: BlockwiseInput[] =
      a.ndim === 0
        ? [{ literal: op }, a.layer, { literal: NUMBER }, b.layer, { literal: FULL }]
        : [{ literal: op }, a.layer, { literal: FULL }, b.layer, { literal: NUMBER }];
    return like(x, new BlockwiseLayer("broadcast", [...args, ...WHOLE_CHUNK], { bytes }), runtime);
  }
  if (sameShape(a.shape, b.shape)) {
    const bb = a.chunkGrid === b.chunkGrid || sameChunks(a.chunks, b.chunks) ? b : rechunkTo(b, a.rowChunks, a.colChunks);
    const bytes = a.chunkGrid.bytes(8);
    const layer = kernelOp
      ? new BlockwiseLayer(op, [a.layer, bb.layer], { bytes })
      : new BlockwiseLayer("broadcast", [{ literal: op }, a.layer, { literal: FULL }, bb.layer, { literal: FULL }, ...WHOLE_CHUNK], {
          bytes,
        });
    return like(a, layer, runtime, { op, args: [a, b] });
  }
  return broadcastGeneral(op, [a, b], shape, runtime);
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/** The (number, layer) or (layer, number) order of a kernel op's arguments. */
function ordered(a: Operand, b: Operand, layer: Layer): BlockwiseInput[] {
  return typeof a === "number" ? [{ literal: a }, layer] : [layer, { literal: b as number }];
}

/**
 * The rows, cols arguments of a broadcast op whose operands are whole chunks or single values:
 * the chunk is one long row, its length taken from the chunk (lengths vary by chunk).
 */
const WHOLE_CHUNK: BlockwiseInput[] = [{ literal: 1 }, { literal: -1 }];

interface Placed {
  kind: number;
  array: ChunkedArray | undefined;
  number: number;
}

/**
 * Lines up each operand with the output's chunks: FULL (same shape: rechunked to the output's
 * chunks), ROW (one row, its column chunks matching), COL (one column, its row chunks matching),
 * SCALAR (one value), NUMBER.
 */
function place(x: Operand, rowChunks: readonly number[], colChunks: readonly number[], R: number, C: number): Placed {
  if (typeof x === "number") return { kind: NUMBER, array: undefined, number: x };
  const [r, c] = as2d(x.shape);
  if (r === R && c === C) return { kind: FULL, array: rechunkTo(x, rowChunks, colChunks), number: 0 };
  if (r === 1 && c === C) return { kind: ROW, array: rechunkTo(x, [1], colChunks), number: 0 };
  if (r === R && c === 1) return { kind: COL, array: rechunkTo(x, rowChunks, [1]), number: 0 };
  return { kind: SCALAR, array: x, number: 0 };
}

/** The output's chunks: along each dimension, those of the first operand spanning it. */
function outputChunks(operands: readonly Operand[], shape: readonly number[]): { rowChunks: number[]; colChunks: number[] } {
  const [R, C] = as2d(shape);
  const arrays = operands.filter((x): x is ChunkedArray => x instanceof ChunkedArray);
  const rowsFrom = arrays.find((x) => x.ndim === 2 && x.shape[0] === R);
  const colsFrom = arrays.find((x) => as2d(x.shape)[1] === C && x.ndim > 0);
  return { rowChunks: rowsFrom ? [...rowsFrom.rowChunks] : [R], colChunks: colsFrom ? [...colsFrom.colChunks] : [C] };
}

/** Explicit tasks for a broadcast that does not line up chunk for chunk (also where()). */
function broadcastGeneral(op: string, operands: readonly Operand[], shape: number[], runtime: ChunkedArray["runtime"]): ChunkedArray {
  const [R, C] = as2d(shape);
  const { rowChunks, colChunks } = outputChunks(operands, shape);
  // a column against a row, each in many chunks, makes their product of chunks
  checkChunkCount(
    [rowChunks.length, colChunks.length],
    operands.map((x) => (typeof x === "number" ? "a number" : `chunks of ${x.chunks.map((c) => c.length).join(" x ")}`)).join(" and "),
    op,
  );
  const placed = operands.map((x) => place(x, rowChunks, colChunks, R, C));
  const name = uniqueName(op === "where" ? "where" : `broadcast-${op}`);
  const tasks = [];
  const deps: Layer[] = [];
  for (const p of placed) if (p.array && !deps.includes(p.array.layer)) deps.push(p.array.layer);
  for (let i = 0; i < rowChunks.length; i++) {
    for (let j = 0; j < colChunks.length; j++) {
      const args: Arg[] = op === "where" ? [] : [op];
      for (const p of placed) {
        if (!p.array) args.push(p.number);
        else {
          const a = p.array;
          const k = p.kind === FULL ? a.chunkIndex(i, j) : p.kind === ROW ? a.chunkIndex(0, j) : p.kind === COL ? a.chunkIndex(i, 0) : 0;
          args.push(ref(a.layer.keyAt(k)));
        }
        args.push(p.kind === SCALAR && p.array!.ndim === 0 ? NUMBER : p.kind);
      }
      const rows = rowChunks[i]!,
        cols = colChunks[j]!;
      args.push(rows, cols);
      tasks.push(taskWith(key(name, i * colChunks.length + j), op === "where" ? "where" : "broadcast", args, { bytes: 8 * rows * cols }));
    }
  }
  const chunks = shape.length === 2 ? [rowChunks, colChunks] : shape.length === 1 ? [colChunks] : [];
  return new ChunkedArray(new TaskLayer(name, tasks, deps), shape, chunks, { runtime });
}

/** where() computed in float64 (operands read as float64); where() gives the result its dtype. */
function whereF64(cond: ChunkedArray, a: Operand, b: Operand): ChunkedArray {
  checkArray(cond, "cond", "where");
  checkOperand(a, "a", "where");
  checkOperand(b, "b", "where");
  const arrays = [cond, a, b].filter((x): x is ChunkedArray => x instanceof ChunkedArray);
  const runtime = sameRuntime(arrays);
  let shape = [...cond.shape];
  for (const x of arrays) shape = broadcastShape(shape, x.shape, "where");
  return broadcastGeneral("where", [cond, a, b], shape, runtime);
}

// ---- the public forms: each computes in float64 and gives float32 for float32 operands ----

/** op applied to every value of x (float32 in, float32 out). */
export function unary(op: string, x: ChunkedArray): ChunkedArray {
  const result = unaryF64(op, x);
  return withDType(result, x.dtype);
}

/** op(a, b), elementwise, broadcasting as NumPy does; float32 when every array operand is. */
export function binary(op: string, a: Operand, b: Operand): ChunkedArray {
  const result = binaryF64(op, a, b);
  return withDType(result, resultDType(a, b));
}

/** where(cond, a, b): a where cond is non-zero, b elsewhere, all three broadcast together; float32 when a and b are. */
export function where(cond: ChunkedArray, a: Operand, b: Operand): ChunkedArray {
  const result = whereF64(cond, a, b);
  return withDType(result, resultDType(a, b));
}
