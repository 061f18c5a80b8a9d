/**
 * The streams of bytes that readers consume: Node's Readable, made from the pieces a source
 * yields, and pipeline() to feed one into a parser. A browser build replaces this module.
 */
import { Readable } from "node:stream";

export { pipeline, Readable } from "node:stream";

/** A stream of the byte pieces `pieces` yields (its errors become the stream's errors). */
export function byteStream(pieces: AsyncIterable<Uint8Array>): Readable {
  return Readable.from(pieces, { objectMode: false });
}
