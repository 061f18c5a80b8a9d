/**
 * Chunked arrays: `array.arange(1e6, { chunks: 1e5 }).exp().sum()`, computed with
 * `await x.compute()` or `await array.compute(x, y)`. Every method also exists as a free
 * function of `array` with the same name (`array.exp(x)`, `array.add(x, 1)`), as in NumPy.
 */
import "./methods.js";
import { registerArrayOps } from "./ops.js";
import { ChunkedArray, computeArrays, type ComputeArrayOptions, type Operand, type ReduceOptions } from "./array.js";
import * as create from "./create.js";
import { toArrow } from "./arrow.js";
import { fromArrow } from "./from-arrow.js";
import { binary, unary, where } from "./elementwise.js";
import { concatenate, rechunk, transpose } from "./layout.js";
import { gram, matmul } from "./linalg.js";
import { mean, reduce, std, variance } from "./reduce.js";
import type { ChunksSpec } from "./chunks.js";
import type { DType } from "./dtype.js";

registerArrayOps();

const un =
  (op: string) =>
  (x: ChunkedArray): ChunkedArray =>
    unary(op, x);
const bin =
  (op: string) =>
  (a: Operand, b: Operand): ChunkedArray =>
    binary(op, a, b);

/** The array namespace: creation, math, reductions, products and compute, NumPy's names. */
export const array = {
  fromTypedArray: create.fromTypedArray,
  fromRows: create.fromRows,
  fromArrow,
  toArrow,
  zeros: create.zeros,
  ones: create.ones,
  full: create.full,
  arange: create.arange,
  linspace: create.linspace,
  random: { uniform: create.uniform, normal: create.normal, logisticProblem: create.logisticProblem },
  mapBlocks: create.mapBlocks,
  add: bin("add"),
  sub: bin("sub"),
  mul: bin("mul"),
  div: bin("div"),
  pow: bin("pow"),
  minimum: bin("min"),
  maximum: bin("max"),
  lt: bin("lt"),
  le: bin("le"),
  gt: bin("gt"),
  ge: bin("ge"),
  eq: bin("eq"),
  ne: bin("ne"),
  neg: un("neg"),
  abs: un("abs"),
  exp: un("exp"),
  log: un("log"),
  log1p: un("log1p"),
  expm1: un("expm1"),
  sqrt: un("sqrt"),
  reciprocal: un("reciprocal"),
  square: un("square"),
  sigmoid: un("sigmoid"),
  tanh: un("tanh"),
  where,
  sum: (x: ChunkedArray, axis?: number, options?: ReduceOptions) => reduce("sum", x, axis, options),
  min: (x: ChunkedArray, axis?: number, options?: ReduceOptions) => reduce("min", x, axis, options),
  max: (x: ChunkedArray, axis?: number, options?: ReduceOptions) => reduce("max", x, axis, options),
  mean,
  var: variance,
  std,
  matmul,
  dot: matmul,
  gram,
  transpose,
  concatenate,
  rechunk: (x: ChunkedArray, chunks: ChunksSpec) => rechunk(x, chunks),
  /** x with values of `dtype` ('float64' or 'float32'), as x.astype(dtype). */
  astype: (x: ChunkedArray, dtype: DType) => x.astype(dtype),
  /** Computes several arrays in one graph: what they share is computed once. */
  compute: async (...args: (ChunkedArray | ComputeArrayOptions)[]) => {
    // the options come last, an object that is not an array; anything else is an array to compute
    const last = args[args.length - 1];
    const options = typeof last === "object" && last !== null && !(last instanceof ChunkedArray) ? (args.pop() as ComputeArrayOptions) : {};
    if (args.length === 0) return [];
    return computeArrays(args as ChunkedArray[], options);
  },
};

export { ChunkedArray } from "./array.js";
export type { ComputeArrayOptions, ComputeIntoOptions, Operand, ReduceOptions } from "./array.js";
export type { ChunksSpec, Shape } from "./chunks.js";
export { MAX_CHUNKS } from "./chunks.js";
export type { CreateOptions, RandomOptions } from "./create.js";
export type { DType } from "./dtype.js";
export { ArrowError, ArrowUnavailableError } from "./arrow.js";
export type { ArrowTableLike, ToArrowOptions } from "./arrow.js";
export type { FromArrowOptions } from "./from-arrow.js";
export { registerArrayOps } from "./ops.js";
