/**
 * Chunk metadata, as dask.array has it: for each dimension, the lengths of its chunks. A 2-D
 * array of shape [rows, cols] with chunks [[r0, r1, ...], [c0, c1, ...]] has a grid of chunks;
 * chunk (i, j) is a row-major block of r_i x c_j values, and its flat index is i * (number of
 * column chunks) + j (the layer's chunk index).
 */
import { ArgumentError } from "../errors.js";

/** An array's shape: one length per dimension (0, 1 or 2 of them). */
export type Shape = readonly number[];
/** Per dimension: one chunk length (every chunk that long, the last one shorter) or the explicit lengths. */
export type ChunksSpec = number | readonly (number | readonly number[])[];
export type Chunks = readonly (readonly number[])[];

/**
 * The most chunks an array may have. Each chunk is a task with its own bookkeeping (its planning
 * time and a few dozen bytes, bench/README.md "weft bench fresh"): 2^22 chunks take seconds and
 * hundreds of MB before the first kernel runs, and a chunking past that is almost always a slip
 * (chunks: 1 on a billion rows), refused at once rather than found out minutes later.
 */
export const MAX_CHUNKS = 2 ** 22;

export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || shape.length > 2) throw new ArgumentError("shape", "an array of 0, 1 or 2 lengths", shape, where);
  for (const n of shape) {
    if (!Number.isSafeInteger(n) || n < 0) throw new ArgumentError("shape", "whole, non-negative lengths (at most 2^53 - 1)", shape, where);
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size > Number.MAX_SAFE_INTEGER) throw new ArgumentError("shape", "at most 2^53 - 1 values in all", shape, where);
  return [...(shape as number[])];
}

/** Refuses a chunking of more than MAX_CHUNKS chunks (`counts`: chunks per dimension). */
export function checkChunkCount(counts: readonly number[], spec: unknown, where: string): void {
  const total = counts.reduce((a, b) => a * b, 1);
  if (total > MAX_CHUNKS) {
    throw new ArgumentError(
      "chunks",
      `at most ${MAX_CHUNKS.toLocaleString("en-US")} chunks in all (this chunking makes ${total.toLocaleString("en-US")}; use longer chunks)`,
      spec,
      where,
    );
  }
}

/** Lengths of the chunks of a dimension of length n, in pieces of `size` (the last may be shorter). */
function even(n: number, size: number, where: string): number[] {
  if (!Number.isInteger(size) || size < 1) throw new ArgumentError("chunks", "a chunk length >= 1", size, where);
  if (n === 0) return [0];
  checkChunkCount([Math.ceil(n / size)], size, where);
  const out: number[] = [];
  for (let start = 0; start < n; start += size) out.push(Math.min(size, n - start));
  return out;
}

/**
 * Normalizes `spec` for `shape`: a number applies to every dimension (along columns it means
 * one chunk unless given per dimension), an array gives each dimension a length or the list.
 */
export function normalizeChunks(shape: Shape, spec: ChunksSpec | undefined, where: string): number[][] {
  if (shape.length === 0) return [];
  if (spec === undefined) return shape.map((n) => (n === 0 ? [0] : [n]));
  if (typeof spec === "number") return shape.map((n, d) => (d === 0 ? even(n, spec, where) : n === 0 ? [0] : [n]));
  if (!Array.isArray(spec) || spec.length !== shape.length) {
    throw new ArgumentError("chunks", `a chunk length, or one entry per dimension (${shape.length})`, spec, where);
  }
  // counted before any list is built: a billion chunks fail here, not minutes later
  checkChunkCount(
    shape.map((n, d) => {
      const s = spec[d];
      return typeof s === "number" && Number.isInteger(s) && s >= 1
        ? n === 0
          ? 1
          : Math.ceil(n / s)
        : Array.isArray(s)
          ? Math.max(1, s.length)
          : 1;
    }),
    spec,
    where,
  );
  return shape.map((n, d) => {
    const s = spec[d]!;
    if (typeof s === "number") return even(n, s, where);
    if (!Array.isArray(s) || s.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new ArgumentError("chunks", "whole chunk lengths", s, where);
    }
    const total = s.reduce((a, b) => a + b, 0);
    if (total !== n) throw new ArgumentError("chunks", `lengths summing to ${n} along dimension ${d}`, s, where);
    return s.length === 0 ? [0] : [...s];
  });
}

/** Start offsets of chunks along one dimension, plus the total at the end. */
export function offsets(lengths: readonly number[]): number[] {
  const out = [0];
  for (const l of lengths) out.push(out[out.length - 1]! + l);
  return out;
}

/** The grid of a 0-, 1- or 2-D chunking: chunks per dimension, [rows of chunks, columns of chunks]. */
export function grid(chunks: Chunks): [number, number] {
  if (chunks.length === 0) return [1, 1];
  if (chunks.length === 1) return [chunks[0]!.length, 1];
  return [chunks[0]!.length, chunks[1]!.length];
}

/** Whether two chunkings are equal (the same objects, as derived arrays share them, answer at once). */
export function sameChunks(a: Chunks, b: Chunks): boolean {
  return a === b || (a.length === b.length && a.every((d, k) => sameLengths(d, b[k]!)));
}

/** Whether two lists of chunk lengths are equal. */
export function sameLengths(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
}

export function describeShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}
