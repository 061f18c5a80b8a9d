/**
 * Chunk tables: one number per chunk of a layer (its rows, its first row, its size in bytes, the
 * chunk of another layer it reads), interned by content so that a table has an id. Lazy layers
 * describe their per-chunk facts with tables instead of one task object per chunk, and a layer's
 * structure names a table by its id: comparing two graphs' structure then costs O(layers), not
 * O(chunks), as long as arrays with the same chunks share their tables (they do: an array's
 * tables are made once per chunking and handed on to every array derived from it).
 */
import { ArgumentError } from "../errors.js";

let nextId = 1;

/** A per-chunk table of numbers with an id that equal contents share (see chunkTable). */
export class ChunkTable {
  /** @internal use chunkTable() */
  constructor(
    readonly id: number,
    readonly values: Float64Array,
  ) {}

  get length(): number {
    return this.values.length;
  }

  /** The value of chunk i. */
  at(i: number): number {
    return this.values[i]!;
  }
}

/** Tables by content hash; each bucket holds the live tables with that hash (collisions are compared by content). */
const interned = new Map<number, WeakRef<ChunkTable>[]>();
let internedSinceSweep = 0;

function hashOf(values: Float64Array): number {
  // FNV-1a over the float64 words' 32-bit halves: cheap, and equal contents hash equally
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  let h = 0x811c9dc5 ^ values.length;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}

function sameContents(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Forgets buckets whose tables were all collected (now and then, not on every call). */
function sweep(): void {
  for (const [h, bucket] of interned) {
    const live = bucket.filter((r) => r.deref() !== undefined);
    if (live.length === 0) interned.delete(h);
    else if (live.length !== bucket.length) interned.set(h, live);
  }
}

/**
 * The table holding `values`: the same ChunkTable object (and id) for equal contents while one is
 * alive. Costs O(length) once; callers keep the result rather than asking again per layer.
 *
 * @example chunkTable([100, 100, 50]) === chunkTable(Float64Array.of(100, 100, 50)) // true
 */
export function chunkTable(values: ArrayLike<number>): ChunkTable {
  const copy = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < copy.length; i++) {
    if (Number.isNaN(copy[i])) throw new ArgumentError("values", "numbers (a chunk table holds no NaN)", values[i], "chunkTable");
  }
  const h = hashOf(copy);
  const bucket = interned.get(h);
  if (bucket) {
    for (const r of bucket) {
      const t = r.deref();
      if (t && sameContents(t.values, copy)) return t;
    }
  }
  const table = new ChunkTable(nextId++, copy);
  if (bucket) bucket.push(new WeakRef(table));
  else interned.set(h, [new WeakRef(table)]);
  if (++internedSinceSweep > 4096) {
    internedSinceSweep = 0;
    sweep();
  }
  return table;
}
