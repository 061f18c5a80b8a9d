/**
 * The synthetic logistic-regression problem of docs/specs/synthetic-data.md, chunk by chunk:
 * rows [r0, r1) of X are normals(seed) over flat indices [r0 * P, r1 * P), generated directly
 * from those indices (never the rows before), so chunks can be made independently anywhere.
 *
 *   X    = normals(seed, N * P), row-major
 *   beta = normals(seed + 1, P) / sqrt(P)
 *   y[i] = 1 if U(seed + 2, i) < sigmoid(X[i] . beta) else 0
 *
 * The one implementation: logisticProblemChunk here and the array layer's logisticProblem (its
 * tasks, on worker threads) both make beta and y with logisticBetaInto and logisticLabelsInto.
 */
import { ArgumentError } from "../errors.js";
import type { KernelTable, Kernels } from "../kernels/index.js";
import type { Allocation, BufferViews } from "../memory/index.js";

/** The spec's default seed. */
export const DEFAULT_SEED = 20240601;

const HALF = 2 ** 32;

/** A seed as the kernels take it: two 32-bit halves of a whole number below 2^53. */
export function seedHalves(seed: number): [number, number] {
  if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new ArgumentError("seed", "a whole number in [0, 2^53)", seed, "synthetic data");
  }
  return [Math.floor(seed / HALF), seed % HALF];
}

/** A stream's seed as the kernels take it: [high 32 bits, low 32 bits]. */
export type SeedHalves = readonly [hi: number, lo: number];

/** The seeds of the problem's three streams (X's normals, beta's normals, the labels' uniforms). */
export function problemSeeds(seed: number): { X: SeedHalves; beta: SeedHalves; labels: SeedHalves } {
  return { X: seedHalves(seed), beta: seedHalves(seed + 1), labels: seedHalves(seed + 2) };
}

/** beta = normals(seed + 1, cols) / sqrt(cols) into the cols float64s at byte address `beta`. */
export function logisticBetaInto(k: KernelTable, betaSeed: SeedHalves, cols: number, beta: number): void {
  k.randomNormal(betaSeed[0], betaSeed[1], 0, cols, beta);
  if (cols > 0) k.scal(cols, 1 / Math.sqrt(cols), beta);
}

/**
 * The labels of rows [rowStart, rowStart + rows) into `y`: y[i] = 1 if U(seed + 2, rowStart + i)
 * < sigmoid(X[i] . beta) else 0, X being those rows (rows x cols, row-major, at byte address
 * `X`) and `labelSeed` the stream seed + 2. `u` holds the uniforms meanwhile, as many rows at a
 * time as it has room for (a task's scratch need not hold the whole chunk's).
 */
export function logisticLabelsInto(
  k: KernelTable,
  X: number,
  beta: number,
  labelSeed: SeedHalves,
  rowStart: number,
  rows: number,
  cols: number,
  y: BufferViews,
  u: BufferViews,
): void {
  k.gemv(rows, cols, 1, X, Math.max(cols, 1), beta, 0, y.ptr);
  k.sigmoid(rows, y.ptr, y.ptr);
  const yv = y.f64(),
    uv = u.f64();
  const block = Math.max(1, Math.min(uv.length, rows));
  for (let r0 = 0; r0 < rows; r0 += block) {
    const n = Math.min(block, rows - r0);
    k.randomUniform(labelSeed[0], labelSeed[1], rowStart + r0, n, u.ptr);
    for (let i = 0; i < n; i++) yv[r0 + i] = uv[i]! < yv[r0 + i]! ? 1 : 0;
  }
}

/** Rows of uniforms a labels task draws at a time (64 KiB of scratch). */
export const LABEL_BLOCK_ROWS = 8192;

/** The size of a synthetic problem: rows, columns, and the seed. */
export interface ProblemShape {
  /** Columns P (the spec requires it even). */
  cols: number;
  seed?: number;
}

function checkShape(shape: ProblemShape): { cols: number; seed: number } {
  const { cols } = shape;
  if (!Number.isInteger(cols) || cols <= 0 || cols % 2 !== 0) {
    throw new ArgumentError("cols", "a positive even whole number (the spec's P)", cols, "synthetic data");
  }
  return { cols, seed: shape.seed ?? DEFAULT_SEED };
}

/** beta = normals(seed + 1, P) / sqrt(P), as a new allocation of P float64s. */
export function logisticBeta(kernels: Kernels, shape: ProblemShape): Allocation {
  const { cols, seed } = checkShape(shape);
  const beta = kernels.memory.allocF64(cols);
  logisticBetaInto(kernels, problemSeeds(seed).beta, cols, beta.ptr);
  return beta;
}

/**
 * Rows [rowStart, rowStart + rows) of the problem: X (rows x cols, row-major) and y (rows), as new
 * allocations. `beta` is the problem's coefficient vector (from logisticBeta); it is made and
 * freed here when not given.
 */
export function logisticProblemChunk(
  kernels: Kernels,
  chunk: ProblemShape & { rowStart: number; rows: number; beta?: Allocation },
): { X: Allocation; y: Allocation } {
  const { cols, seed } = checkShape(chunk);
  const { rowStart, rows } = chunk;
  for (const [name, v] of [
    ["rowStart", rowStart],
    ["rows", rows],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ArgumentError(name, "a non-negative whole number", v, "logisticProblemChunk");
  }
  const seeds = problemSeeds(seed); // checked before anything is allocated
  const beta = chunk.beta ?? logisticBeta(kernels, { cols, seed });
  const X = kernels.memory.allocF64(rows * cols);
  const y = kernels.memory.allocF64(rows);
  const u = kernels.memory.allocF64(rows);
  try {
    kernels.randomNormal(...seeds.X, rowStart * cols, rows * cols, X.ptr);
    logisticLabelsInto(kernels, X.ptr, beta.ptr, seeds.labels, rowStart, rows, cols, y, u);
  } finally {
    u.free();
    if (!chunk.beta) beta.free();
  }
  return { X, y };
}
