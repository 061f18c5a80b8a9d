/**
 * An array's chunk grid as per-chunk tables (graph/tables.ts): for layer chunk k = (i, j), its
 * rows, columns, first row and column, values, bytes, and the row and column of the grid it
 * sits in. Array operations describe their per-chunk arguments with these tables instead of a
 * task per chunk, so building an operation costs O(1) and the plan cache compares graphs in
 * O(layers). A grid is made once per chunking (arrays derived from one another share their
 * `chunks` object, and with it the grid) and its tables once each, on first use.
 */
import { chunkTable, type ChunkTable } from "../graph/tables.js";
import type { Chunks } from "./chunks.js";

/** The 2-D view of an array's chunking, with its per-chunk tables. */
export class ChunkGrid {
  /** Chunks along rows and along columns of the 2-D view. */
  readonly gr: number;
  readonly gc: number;
  private readonly tables = new Map<string, ChunkTable>();

  readonly rowChunks: readonly number[];
  readonly colChunks: readonly number[];

  constructor(rowChunks: readonly number[], colChunks: readonly number[]) {
    this.rowChunks = Object.isFrozen(rowChunks) ? rowChunks : Object.freeze([...rowChunks]);
    this.colChunks = Object.isFrozen(colChunks) ? colChunks : Object.freeze([...colChunks]);
    this.gr = rowChunks.length;
    this.gc = colChunks.length;
  }

  /** Number of chunks. */
  get size(): number {
    return this.gr * this.gc;
  }

  private readonly derived = new Map<string, readonly (readonly number[])[]>();

  /**
   * The chunks of a vector with one value per row ("rows") or per column ("cols") of this grid,
   * or of such a vector kept as a column ("rowsKept": [rowChunks, [1]]) or a row ("colsKept"):
   * what reductions and products along an axis give. One frozen object per grid, so results of
   * the same operation share their grid too.
   */
  vectorChunks(kind: "rows" | "cols" | "rowsKept" | "colsKept"): readonly (readonly number[])[] {
    let c = this.derived.get(kind);
    if (!c) {
      const rows = this.rowChunks,
        cols = this.colChunks,
        one = Object.freeze([1]);
      c = Object.freeze(kind === "rows" ? [rows] : kind === "cols" ? [cols] : kind === "rowsKept" ? [rows, one] : [one, cols]);
      this.derived.set(kind, c);
    }
    return c;
  }

  private table(name: string, value: (i: number, j: number) => number): ChunkTable {
    let t = this.tables.get(name);
    if (!t) {
      const values = new Float64Array(this.size);
      for (let i = 0; i < this.gr; i++) for (let j = 0; j < this.gc; j++) values[i * this.gc + j] = value(i, j);
      this.tables.set(name, (t = chunkTable(values)));
    }
    return t;
  }

  /** Rows of each chunk. */
  get rows(): ChunkTable {
    return this.table("rows", (i) => this.rowChunks[i]!);
  }

  /** Columns of each chunk. */
  get cols(): ChunkTable {
    return this.table("cols", (_i, j) => this.colChunks[j]!);
  }

  /** First row of each chunk. */
  get row0(): ChunkTable {
    const starts = offsets(this.rowChunks);
    return this.table("row0", (i) => starts[i]!);
  }

  /** First column of each chunk. */
  get col0(): ChunkTable {
    const starts = offsets(this.colChunks);
    return this.table("col0", (_i, j) => starts[j]!);
  }

  /** Bytes of each chunk at `bytesPerValue` bytes a value. */
  bytes(bytesPerValue: number): ChunkTable {
    return this.table(`bytes${bytesPerValue}`, (i, j) => bytesPerValue * this.rowChunks[i]! * this.colChunks[j]!);
  }

  /** Bytes of a vector per chunk: `perRow` bytes for each of its rows (or, `byColumns`, each of its columns). */
  vectorBytes(bytesPerValue: number, byColumns: boolean): ChunkTable {
    return byColumns
      ? this.table(`colBytes${bytesPerValue}`, (_i, j) => bytesPerValue * this.colChunks[j]!)
      : this.table(`rowBytes${bytesPerValue}`, (i) => bytesPerValue * this.rowChunks[i]!);
  }

  /**
   * Per grid row (or column): `bytesPerValue` times its length, one entry per row of chunks (or
   * column of chunks): the result sizes of what reduces the grid along columns (or rows).
   */
  lengthBytes(along: "rows" | "cols", bytesPerValue: number): ChunkTable {
    const name = `${along}Lengths${bytesPerValue}`;
    let t = this.tables.get(name);
    if (!t) {
      const lengths = along === "rows" ? this.rowChunks : this.colChunks;
      this.tables.set(name, (t = chunkTable(lengths.map((n) => bytesPerValue * n))));
    }
    return t;
  }

  /** The grid row i of each chunk (as a chunk index into a layer of one chunk per grid row). */
  get rowIndex(): ChunkTable {
    return this.table("rowIndex", (i) => i);
  }

  /** The grid column j of each chunk. */
  get colIndex(): ChunkTable {
    return this.table("colIndex", (_i, j) => j);
  }

  /**
   * The chunks grouped by grid column (group j: chunks (0, j), (1, j), ...), as a tree
   * reduction's members table: reducing along axis 0.
   */
  get byColumn(): ChunkTable {
    let t = this.tables.get("byColumn");
    if (!t) {
      const values = new Float64Array(this.size);
      let at = 0;
      for (let j = 0; j < this.gc; j++) for (let i = 0; i < this.gr; i++) values[at++] = i * this.gc + j;
      this.tables.set("byColumn", (t = chunkTable(values)));
    }
    return t;
  }

  /** The chunks grouped by grid row (group i: chunks (i, 0), (i, 1), ...): reducing along axis 1. */
  get byRow(): ChunkTable {
    return this.table("byRow", (i, j) => i * this.gc + j);
  }
}

function offsets(lengths: readonly number[]): number[] {
  const out = [0];
  for (const l of lengths) out.push(out[out.length - 1]! + l);
  return out;
}

const grids = new WeakMap<object, ChunkGrid>();
const byContent = new Map<string, WeakRef<ChunkGrid>>();
let madeSinceSweep = 0;

/**
 * The grid of the 2-D view with these row and column chunks: the same object for the same
 * `chunks` (cached on it), and for equal contents while one is alive (so that their tables, and
 * the ids the plan cache compares, are shared).
 */
export function gridOf(chunks: Chunks, rowChunks: readonly number[], colChunks: readonly number[]): ChunkGrid {
  let g = grids.get(chunks);
  if (g) return g;
  const content = `${rowChunks.join(",")}|${colChunks.join(",")}`;
  g = byContent.get(content)?.deref();
  if (!g) {
    g = new ChunkGrid(rowChunks, colChunks);
    byContent.set(content, new WeakRef(g));
    if (++madeSinceSweep > 1024) {
      madeSinceSweep = 0;
      for (const [c, r] of byContent) if (!r.deref()) byContent.delete(c);
    }
  }
  grids.set(chunks, g);
  return g;
}
