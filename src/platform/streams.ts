/**
 * The streams of bytes that readers consume: Node's Readable, made from the pieces a source
 * yields, and pipeline() to feed one into a parser. A browser build replaces this module.
 */
// the shipped declarations name Node's types: this loads @types/node in a project whose tsconfig lists other `types`
/// <reference types="node" preserve="true" />
import { Readable } from "node:stream";

export { pipeline, Readable } from "node:stream";

/** A stream of the byte pieces `pieces` yields (its errors become the stream's errors). */
export function byteStream(pieces: AsyncIterable<Uint8Array>): Readable {
  return Readable.from(pieces, { objectMode: false });
}
