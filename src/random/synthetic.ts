/**
 * The synthetic logistic-regression problem of docs/specs/synthetic-data.md, chunk by chunk:
 * rows [r0, r1) of X are normals(seed) over flat indices [r0 * P, r1 * P), generated directly
 * from those indices (never the rows before), so chunks can be made independently anywhere.
 *
 *   X    = normals(seed, N * P), row-major
 *   beta = normals(seed + 1, P) / sqrt(P)
 *   y[i] = 1 if U(seed + 2, i) < sigmoid(X[i] . beta) else 0
 */
import { ArgumentError } from "../errors.js";
import type { Kernels } from "../kernels/index.js";
import type { Allocation } from "../memory/index.js";

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
  kernels.randomNormal(...seedHalves(seed + 1), 0, cols, beta.ptr);
  kernels.scal(cols, 1 / Math.sqrt(cols), beta.ptr);
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
  for (const [name, v] of [["rowStart", rowStart], ["rows", rows]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ArgumentError(name, "a non-negative whole number", v, "logisticProblemChunk");
  }
  const beta = chunk.beta ?? logisticBeta(kernels, { cols, seed });
  const X = kernels.memory.allocF64(rows * cols);
  const y = kernels.memory.allocF64(rows);
  const u = kernels.memory.allocF64(rows);
  try {
    kernels.randomNormal(...seedHalves(seed), rowStart * cols, rows * cols, X.ptr);
    // p = sigmoid(X beta); y = U(seed + 2, i) < p
    kernels.gemv(rows, cols, 1, X.ptr, cols, beta.ptr, 0, y.ptr);
    kernels.sigmoid(rows, y.ptr, y.ptr);
    kernels.randomUniform(...seedHalves(seed + 2), rowStart, rows, u.ptr);
    const yv = y.f64();
    const uv = u.f64();
    for (let i = 0; i < rows; i++) yv[i] = uv[i]! < yv[i]! ? 1 : 0;
  } finally {
    u.free();
    if (!chunk.beta) beta.free();
  }
  return { X, y };
}
