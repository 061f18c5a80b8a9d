/**
 * The ops chunked arrays lower to, beyond weft's kernel ops (exp, add, sum, ...): filling and
 * generating chunks, broadcasting, comparisons, slicing and reassembling, per-axis reductions
 * and matrix products per chunk (linalg-ops.ts). Each is exported under its op name so worker threads import
 * this module to run them; registerArrayOps() registers them all.
 *
 * Chunks are buffers in the shared memory: a 2-D chunk is rows x cols values, row-major; a 1-D
 * chunk is one row. Ops that allocate know their result size, which the array layer declares,
 * so workers can run them.
 */
import { ArgumentError } from "../errors.js";
import type { TaskContext } from "../graph/ops.js";
import { defaultOps, type OpRegistry } from "../graph/ops.js";
import type { KernelTable } from "../kernels/index.js";
import { BINARY_MATH, UNARY_MATH } from "../kernels/scalar-math.js";
import type { BufferViews } from "../memory/index.js";
import { workerModuleUrl } from "../platform/code.js";
import { LABEL_BLOCK_ROWS, logisticBetaInto, logisticLabelsInto } from "../random/synthetic.js";
import { forRowBlocksF32 } from "./f32-rows.js";
import { dotChunk, gemmChunk, gemvChunk, gemvTChunk, glmGradChunk, gramChunk, leadingValues } from "./linalg-ops.js";

/** How an operand of a broadcast op lines up with the output chunk. */
export const FULL = 0; // the same rows x cols
export const ROW = 1; // one row of cols values, for every row
export const COL = 2; // one value per row
export const SCALAR = 3; // one value (a 1 x 1 chunk)
export const NUMBER = 4; // a JS number given as the argument itself

const raw = (ctx: TaskContext): KernelTable => ctx.kernels!.raw;

const BINARY_KERNELS = new Set(["add", "sub", "mul", "div", "pow", "min", "max"]);

/** The ops on numbers, looked up by an op's name: the js kernels' own math. */
const BINARY_BY_NAME: Readonly<Record<string, (a: number, b: number) => number>> = BINARY_MATH;
const UNARY_BY_NAME: Readonly<Record<string, (x: number) => number>> = UNARY_MATH;

/** Names of the binary ops broadcast() accepts. */
export const BROADCAST_OPS = Object.keys(BINARY_BY_NAME);

/** Reads operand `x` of kind `kind` at (r, c) of a rows x cols output. */
function reader(x: unknown, kind: number, cols: number): (r: number, c: number) => number {
  if (kind === NUMBER) {
    const v = x as number;
    return () => v;
  }
  const v = (x as BufferViews).f64();
  switch (kind) {
    case FULL:
      return (r, c) => v[r * cols + c]!;
    case ROW:
      return (_r, c) => v[c]!;
    case COL:
      return (r) => v[r]!;
    default:
      return () => v[0]!;
  }
}

/**
 * Rows and columns of the chunk, where either may be -1 (the same op runs on chunks of several
 * sizes): taken from the size of the FULL operand.
 */
function derive(rows: number, cols: number, a: unknown, aKind: number, b: unknown, bKind: number): [number, number] {
  if (rows >= 0 && cols >= 0) return [rows, cols];
  const full = aKind === FULL ? (a as BufferViews) : bKind === FULL ? (b as BufferViews) : undefined;
  if (!full) throw new ArgumentError("rows, cols", "sizes, or a FULL operand to take them from", [rows, cols], "broadcast");
  const n = full.bytes / 8;
  return rows < 0 ? [cols === 0 ? 0 : n / cols, cols] : [rows, rows === 0 ? 0 : n / rows];
}

/**
 * op(a, b) over a rows x cols chunk, each operand FULL, ROW, COL, SCALAR or NUMBER (NumPy's
 * broadcasting, resolved by the array layer). Arithmetic runs the SIMD kernels a row at a time;
 * comparisons give 1 or 0.
 */
export function broadcast(
  ctx: TaskContext,
  op: string,
  a: unknown,
  aKind: number,
  b: unknown,
  bKind: number,
  rows: number,
  cols: number,
): BufferViews {
  const fn = BINARY_BY_NAME[op];
  if (!fn) throw new ArgumentError("op", `one of ${BROADCAST_OPS.join(", ")}`, op, "broadcast");
  [rows, cols] = derive(rows, cols, a, aKind, b, bKind);
  const out = ctx.alloc(8 * rows * cols);
  if (BINARY_KERNELS.has(op)) {
    const k = raw(ctx) as unknown as Record<string, (...args: number[]) => void>;
    const vv = k[`${op}VV`]!,
      vs = k[`${op}VS`]!,
      sv = k[`${op}SV`]!;
    const vector = (x: unknown, kind: number, r: number): number =>
      kind === FULL ? (x as BufferViews).ptr + 8 * r * cols : kind === ROW ? (x as BufferViews).ptr : -1;
    const scalarOf = (x: unknown, kind: number, r: number): number =>
      kind === NUMBER ? (x as number) : kind === COL ? (x as BufferViews).f64()[r]! : (x as BufferViews).f64()[0]!;
    const o = out.f64();
    for (let r = 0; r < rows; r++) {
      const pa = vector(a, aKind, r),
        pb = vector(b, bKind, r),
        po = out.ptr + 8 * r * cols;
      if (pa >= 0 && pb >= 0) vv(cols, pa, pb, po);
      else if (pa >= 0) vs(cols, pa, scalarOf(b, bKind, r), po);
      else if (pb >= 0) sv(cols, scalarOf(a, aKind, r), pb, po);
      else o.fill(fn(scalarOf(a, aKind, r), scalarOf(b, bKind, r)), r * cols, (r + 1) * cols);
    }
    return out;
  }
  const ra = reader(a, aKind, cols),
    rb = reader(b, bKind, cols);
  const o = out.f64();
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) o[r * cols + c] = fn(ra(r, c), rb(r, c));
  return out;
}

/** where(cond, a, b): a where cond is non-zero, else b; each operand broadcast by its kind. */
export function where(
  ctx: TaskContext,
  cond: unknown,
  cKind: number,
  a: unknown,
  aKind: number,
  b: unknown,
  bKind: number,
  rows: number,
  cols: number,
): BufferViews {
  const out = ctx.alloc(8 * rows * cols);
  const rc = reader(cond, cKind, cols),
    ra = reader(a, aKind, cols),
    rb = reader(b, bKind, cols);
  const o = out.f64();
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) o[r * cols + c] = rc(r, c) !== 0 ? ra(r, c) : rb(r, c);
  return out;
}

/** n copies of `value`. */
export function fill(ctx: TaskContext, n: number, value: number): BufferViews {
  const out = ctx.alloc(8 * n);
  out.f64().fill(value);
  return out;
}

/** start, start + step, ... (n values). */
export function arange(ctx: TaskContext, n: number, start: number, step: number): BufferViews {
  const out = ctx.alloc(8 * n);
  const v = out.f64();
  for (let i = 0; i < n; i++) v[i] = start + i * step;
  return out;
}

/**
 * Random values of a rows x cols chunk whose first element is at (row0, col0) of an array with
 * `totalCols` columns: element (r, c) is value number (row0 + r) * totalCols + col0 + c of the
 * spec's stream (so any chunking gives the same array). kind 0: uniform on [low, high);
 * kind 1: normal with mean `low` and standard deviation `high`.
 */
export function random(
  ctx: TaskContext,
  kind: number,
  seedHi: number,
  seedLo: number,
  row0: number,
  rows: number,
  col0: number,
  cols: number,
  totalCols: number,
  low: number,
  high: number,
): BufferViews {
  const out = ctx.alloc(8 * rows * cols);
  const k = raw(ctx);
  const gen = kind === 0 ? k.randomUniform : k.randomNormal;
  if (cols === totalCols) gen(seedHi, seedLo, row0 * totalCols, rows * cols, out.ptr);
  else for (let r = 0; r < rows; r++) gen(seedHi, seedLo, (row0 + r) * totalCols + col0, cols, out.ptr + 8 * r * cols);
  const scale = kind === 0 ? high - low : high;
  if (scale !== 1 || low !== 0) {
    if (scale !== 1) k.scal(rows * cols, scale, out.ptr);
    if (low !== 0) k.addVS(rows * cols, out.ptr, low, out.ptr);
  }
  return out;
}

/** The spec's labels for rows [row0, row0 + rows) of X: y = U(seed + 2, i) < sigmoid(X beta) (seedHi, seedLo: seed + 2). */
export function logisticLabels(
  ctx: TaskContext,
  X: BufferViews,
  beta: BufferViews,
  seedHi: number,
  seedLo: number,
  row0: number,
  rows: number,
  cols: number,
): BufferViews {
  const out = ctx.alloc(8 * rows);
  logisticLabelsInto(
    raw(ctx),
    X.ptr,
    beta.ptr,
    [seedHi, seedLo],
    row0,
    rows,
    cols,
    out,
    ctx.scratch(8 * Math.max(1, Math.min(rows, LABEL_BLOCK_ROWS))),
  );
  return out;
}

/** beta = normals(seed + 1, cols) / sqrt(cols), the spec's coefficients (seedHi, seedLo: seed + 1). */
export function logisticCoefficients(ctx: TaskContext, seedHi: number, seedLo: number, cols: number): BufferViews {
  const out = ctx.alloc(8 * cols);
  logisticBetaInto(raw(ctx), [seedHi, seedLo], cols, out.ptr);
  return out;
}

/** The transpose of a rows x cols chunk. */
export function transpose(ctx: TaskContext, x: BufferViews, rows: number, cols: number): BufferViews {
  const out = ctx.alloc(8 * rows * cols);
  const s = x.f64(),
    d = out.f64();
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[c * rows + r] = s[r * cols + c]!;
  return out;
}

/**
 * Copies blocks of source chunks into a new rows x cols chunk. Each piece is [buffer, its
 * column count, source row, source column, target row, target column, rows, columns]: this is
 * rechunking, slicing, selecting and concatenating in one op.
 */
export function assemble(ctx: TaskContext, pieces: readonly unknown[][], rows: number, cols: number): BufferViews {
  const out = ctx.alloc(8 * rows * cols);
  const d = out.f64();
  for (const [buffer, srcCols, r0, c0, tr0, tc0, nr, nc] of pieces as [
    BufferViews,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ][]) {
    const s = buffer.f64();
    for (let r = 0; r < nr; r++) {
      const from = (r0 + r) * srcCols + c0;
      d.set(s.subarray(from, from + nc), (tr0 + r) * cols + tc0);
    }
  }
  return out;
}

/** Selected columns (by index) of a rows x cols chunk. */
export function takeColumns(ctx: TaskContext, x: BufferViews, rows: number, cols: number, indices: readonly number[]): BufferViews {
  const out = ctx.alloc(8 * rows * indices.length);
  const s = x.f64(),
    d = out.f64();
  const m = indices.length;
  for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) d[r * m + j] = s[r * cols + indices[j]!]!;
  return out;
}

/** Combines partial sums, minima or maxima. */
function combine(kind: string, parts: readonly number[]): number {
  let acc = kind === "sum" ? 0 : kind === "min" ? Infinity : -Infinity;
  for (const p of parts) {
    if (Number.isNaN(p)) return NaN;
    acc = kind === "sum" ? acc + p : kind === "min" ? Math.min(acc, p) : Math.max(acc, p);
  }
  return acc;
}

/**
 * Reduces a rows x cols chunk along axis 0 (one value per column) or 1 (one value per row):
 * sums with the rowSums/colSums kernels, minima and maxima of rows with rowMins/rowMaxs, of
 * columns with minVV/maxVV folded over the rows.
 */
export function reduceAxis(
  ctx: TaskContext,
  kind: string,
  x: BufferViews,
  rows: number,
  cols: number,
  axis: number,
  itemBytes = 8,
): BufferViews {
  if (itemBytes === 4) return reduceAxisF32(ctx, kind, x, rows, cols, axis);
  const n = axis === 0 ? cols : rows;
  const out = ctx.alloc(8 * n);
  const k = raw(ctx);
  if (kind === "sum") {
    if (axis === 0) k.colSums(rows, cols, x.ptr, Math.max(cols, 1), out.ptr);
    else k.rowSums(rows, cols, x.ptr, Math.max(cols, 1), out.ptr);
    return out;
  }
  if (axis === 1) {
    (kind === "min" ? k.rowMins : k.rowMaxs)(rows, cols, x.ptr, Math.max(cols, 1), out.ptr);
    return out;
  }
  out.f64().fill(kind === "min" ? Infinity : -Infinity);
  const op = kind === "min" ? k.minVV : k.maxVV;
  for (let r = 0; r < rows; r++) op(cols, out.ptr, x.ptr + 8 * r * cols, out.ptr);
  return out;
}

/** reduceAxis of a chunk of float32 values, a block of rows at a time. */
function reduceAxisF32(ctx: TaskContext, kind: string, x: BufferViews, rows: number, cols: number, axis: number): BufferViews {
  const n = axis === 0 ? cols : rows;
  const out = ctx.alloc(8 * n);
  const k = raw(ctx);
  const partial = ctx.scratch(8 * Math.max(cols, 1));
  const identity = kind === "sum" ? 0 : kind === "min" ? Infinity : -Infinity;
  out.f64().fill(identity);
  forRowBlocksF32(ctx, x, rows, cols, (block, r0, nr) => {
    if (axis === 0) {
      if (kind === "sum") {
        k.colSums(nr, cols, block, Math.max(cols, 1), partial.ptr);
        k.addVV(cols, out.ptr, partial.ptr, out.ptr);
      } else {
        const op = kind === "min" ? k.minVV : k.maxVV;
        for (let r = 0; r < nr; r++) op(cols, out.ptr, block + 8 * r * cols, out.ptr);
      }
    } else if (kind === "sum") {
      k.rowSums(nr, cols, block, Math.max(cols, 1), out.ptr + 8 * r0);
    } else {
      (kind === "min" ? k.rowMins : k.rowMaxs)(nr, cols, block, Math.max(cols, 1), out.ptr + 8 * r0);
    }
  });
  return out;
}

/** Elementwise sum, min or max of equally long vectors. */
export function combineVectors(ctx: TaskContext, kind: string, parts: readonly BufferViews[]): BufferViews {
  const n = parts[0]!.bytes / 8;
  const out = ctx.alloc(8 * n);
  const k = raw(ctx);
  k.copy(n, parts[0]!.ptr, out.ptr);
  const op = kind === "sum" ? k.addVV : kind === "min" ? k.minVV : k.maxVV;
  for (let i = 1; i < parts.length; i++) op(n, out.ptr, parts[i]!.ptr, out.ptr);
  return out;
}

/** Tree-reduction combiners: the partial results of a level come as one list. */
export const combineSum = (parts: readonly number[]): number => combine("sum", parts);
export const combineMin = (parts: readonly number[]): number => combine("min", parts);
export const combineMax = (parts: readonly number[]): number => combine("max", parts);

/** An elementwise op on numbers: what a 0-D array (a reduction's result) is. */
export function scalarMath(op: string, a: number, b?: number): number {
  const unary = UNARY_BY_NAME[op];
  if (unary) return unary(a);
  const binary = BINARY_BY_NAME[op];
  if (!binary) throw new ArgumentError("op", "an elementwise op", op, "scalarMath");
  return binary(a, b!);
}

// the per-chunk matrix products live in linalg-ops.ts; exported here too, since workers import this module for every array op
export { dotChunk, gemmChunk, gemvChunk, gemvTChunk, glmGradChunk, gramChunk, leadingValues } from "./linalg-ops.js";

/** The ops of this module with their options, by name. */
const CONTEXT_OPS = {
  broadcast,
  where,
  fill,
  arange,
  random,
  logisticLabels,
  logisticCoefficients,
  transpose,
  assemble,
  takeColumns,
  reduceAxis,
  combineVectors,
  gemvChunk,
  gemvTChunk,
  gemmChunk,
  gramChunk,
  dotChunk,
  glmGradChunk,
  leadingValues,
} as const;
const PLAIN_OPS = { combineSum, combineMin, combineMax, scalarMath } as const;

/** The module workers import for these ops. */
export const ARRAY_OPS_MODULE = workerModuleUrl(import.meta.url);

/** Registers the array ops in `registry` (the default one unless given). */
export function registerArrayOps(registry: OpRegistry = defaultOps): void {
  for (const [name, fn] of Object.entries(CONTEXT_OPS)) registry.register(name, fn, { context: true, module: ARRAY_OPS_MODULE, own: true });
  for (const [name, fn] of Object.entries(PLAIN_OPS)) registry.register(name, fn, { module: ARRAY_OPS_MODULE, own: true });
}
