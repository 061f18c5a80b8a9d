/**
 * The LZ4 frame format's decoder (lz4_Frame_format.md of the LZ4 project), for Arrow IPC files
 * compressed with LZ4_FRAME: what pyarrow's `write_feather` writes by default. No package weft
 * depends on decodes frames (hyparquet-compressors decodes bare blocks and Hadoop's framing), and
 * the format is small: a header, then blocks of LZ4's block format, linked or independent, each
 * maybe stored uncompressed, then an end mark; frames may follow one another, and skippable
 * frames are skipped. Checksums are not verified (Arrow's buffers carry their own lengths, which
 * the decoded size must match).
 */

import { WeftError } from "../errors.js";

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE = 0x184d2a50; // to 0x184d2a5f

/** A malformed LZ4 frame. */
export class Lz4FrameError extends WeftError {}

const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** A growable output: blocks of a linked frame copy matches from earlier blocks, so one buffer. */
class Output {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
  }
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.length + n, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

/**
 * Decodes one block of LZ4's block format, `src[from, to)`, onto `out`: sequences of literals
 * then a match (an offset back into what is already decoded, which may reach earlier blocks);
 * the last sequence has literals only.
 */
function decodeBlock(src: Uint8Array, from: number, to: number, out: Output): void {
  let i = from;
  while (i < to) {
    const token = src[i++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (i >= to) throw new Lz4FrameError("lz4: truncated literal length");
        b = src[i++]!;
        literals += b;
      } while (b === 255);
    }
    if (i + literals > to) throw new Lz4FrameError("lz4: literals past the end of the block");
    out.reserve(literals);
    out.bytes.set(src.subarray(i, i + literals), out.length);
    out.length += literals;
    i += literals;
    if (i === to) return; // the last sequence
    if (i + 2 > to) throw new Lz4FrameError("lz4: truncated match offset");
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    if (offset === 0 || offset > out.length) throw new Lz4FrameError(`lz4: match offset ${offset} out of range`);
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (i >= to) throw new Lz4FrameError("lz4: truncated match length");
        b = src[i++]!;
        length += b;
      } while (b === 255);
    }
    length += 4;
    out.reserve(length);
    const bytes = out.bytes;
    let at = out.length;
    let back = at - offset;
    if (offset >= length) bytes.copyWithin(at, back, back + length);
    else for (let k = 0; k < length; k++) bytes[at++] = bytes[back++]!; // overlapping: repeats the last `offset` bytes
    out.length += length;
  }
}

/** Decodes LZ4 frames (one or more, concatenated) into their bytes; `expected` sizes the output. */
export function decodeLz4Frames(src: Uint8Array, expected = src.length * 4): Uint8Array {
  const out = new Output(expected);
  let i = 0;
  while (i < src.length) {
    if (i + 4 > src.length) throw new Lz4FrameError("lz4: truncated frame");
    const magic = u32(src, i);
    if ((magic & 0xfffffff0) === SKIPPABLE) {
      if (i + 8 > src.length) throw new Lz4FrameError("lz4: truncated skippable frame");
      i += 8 + u32(src, i + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Lz4FrameError(`lz4: not an LZ4 frame (magic 0x${magic.toString(16)})`);
    const flags = src[i + 4]!;
    if (flags >> 6 !== 1) throw new Lz4FrameError(`lz4: frame version ${flags >> 6}, not 1`);
    const blockChecksum = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const dictionary = (flags & 0x01) !== 0;
    if (dictionary) throw new Lz4FrameError("lz4: frames with a dictionary are not supported");
    i += 6 + (contentSize ? 8 : 0) + 1; // magic, FLG, BD, content size, header checksum
    for (;;) {
      if (i + 4 > src.length) throw new Lz4FrameError("lz4: truncated block");
      const word = u32(src, i);
      i += 4;
      if (word === 0) break; // the end mark
      const size = word & 0x7fffffff;
      if (i + size > src.length) throw new Lz4FrameError("lz4: block past the end of the frame");
      if (word & 0x80000000) {
        out.reserve(size); // stored uncompressed
        out.bytes.set(src.subarray(i, i + size), out.length);
        out.length += size;
      } else {
        decodeBlock(src, i, i + size, out);
      }
      i += size + (blockChecksum ? 4 : 0);
    }
    i += contentChecksum ? 4 : 0;
  }
  return out.length === out.bytes.length ? out.bytes : out.bytes.slice(0, out.length);
}
