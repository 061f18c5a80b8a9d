/**
 * What the chunks of a lazy layer read and weigh: a blockwise layer's inputs (BlockwiseInput) and
 * which chunk of each task i reads, the bytes of chunk results (ChunkBytes), and the check that a
 * table of chunk indices stays within the layer it indexes.
 */
import { Layer } from "./layer.js";
import { identityOf } from "./structure.js";
import type { ChunkTable } from "./tables.js";
import type { Arg } from "./task.js";

/**
 * An input of a blockwise layer: a layer (chunk i of it, or chunk 0 of a one-chunk layer, which
 * every task then reads), a layer read through a table (task i reads chunk `chunkOf.at(i)`), a
 * value passed to every task, or a number per task from a table (its rows, its first row).
 */
export type BlockwiseInput =
  | Layer
  | { readonly layer: Layer; readonly chunkOf: ChunkTable }
  | { readonly literal: Arg }
  | { readonly perChunk: ChunkTable };

/** Bytes of a layer's chunk results: the same for all, per chunk from a table, or a function of the chunk. */
export type ChunkBytes = number | ChunkTable | ((i: number) => number);

/** The layer an input reads, if any. */
export function inputLayer(input: BlockwiseInput): Layer | undefined {
  return input instanceof Layer ? input : "layer" in input ? input.layer : undefined;
}

/** The chunk of input layer `l` that task `i` of a layer of `size` chunks reads. */
export function chunkRead(input: BlockwiseInput, i: number): number {
  if (input instanceof Layer) return input.size === 1 ? 0 : i;
  return (input as { chunkOf: ChunkTable }).chunkOf.at(i);
}

/** A ChunkBytes as a layer's structure writes it. */
export function bytesToken(bytes: ChunkBytes | undefined): string {
  if (bytes === undefined) return "?";
  if (typeof bytes === "number") return String(bytes);
  if (typeof bytes === "function") return `@${identityOf(bytes)}`;
  return `t${bytes.id}`;
}

/** Bytes of chunk i, or undefined when not declared. */
export function bytesOf(bytes: ChunkBytes | undefined, i: number): number | undefined {
  if (bytes === undefined) return undefined;
  if (typeof bytes === "number") return bytes;
  if (typeof bytes === "function") return bytes(i);
  return bytes.at(i);
}

/** Whether every entry of `table` is a chunk index below `size` (checked once per table and size). */
const validated = new WeakMap<ChunkTable, number>();
export function validIndices(table: ChunkTable, size: number): boolean {
  if ((validated.get(table) ?? -1) >= 0 && validated.get(table)! <= size) return true;
  let max = -1;
  for (let i = 0; i < table.length; i++) {
    const v = table.at(i);
    if (!Number.isInteger(v) || v < 0) return false;
    if (v > max) max = v;
  }
  validated.set(table, max + 1);
  return max < size;
}
