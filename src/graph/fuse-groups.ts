/**
 * The groups of the fusion passes (fuse.ts): which tasks are to become one fused task, kept as a
 * union-find over the dense graph, with the per-group facts the fusion rules judge (root,
 * height, entry steps, whether it reads from outside) and undo for refused fan-ins.
 */
import type { IndexedGraph } from "./indexed.js";

/**
 * Groups over a dense graph, as a union-find: every task points towards its group's
 * representative (union by size, so a lookup takes O(log n) steps), and a group's members form
 * a linked list, so absorbing a group costs O(1) however large it is (a chain of L steps would
 * otherwise cost O(L^2)). Unions can be undone, newest first, for fan-ins that the knobs refuse.
 */
export class Groups {
  private readonly parent: Int32Array;
  private readonly count: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly next: Int32Array;
  /** Per representative: the group's root task, height, entry steps, whether it reads outside. */
  readonly root: Int32Array;
  readonly height: Int32Array;
  readonly entries: Int32Array;
  readonly readsOutside: Uint8Array;
  private readonly undo: number[] = [];

  constructor(
    private readonly g: IndexedGraph,
    private readonly isOutput: Uint8Array,
  ) {
    const n = g.size;
    this.parent = new Int32Array(n).fill(-1); // -1: not reached yet
    this.count = new Int32Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.next = new Int32Array(n).fill(-1);
    this.root = new Int32Array(n);
    this.height = new Int32Array(n);
    this.entries = new Int32Array(n);
    this.readsOutside = new Uint8Array(n);
  }

  start(t: number): void {
    const inputs = this.g.depStart[t + 1]! - this.g.depStart[t]!;
    this.parent[t] = t;
    this.count[t] = 1;
    this.head[t] = t;
    this.tail[t] = t;
    this.root[t] = t;
    this.height[t] = 1;
    this.entries[t] = inputs === 0 ? 1 : 0;
    this.readsOutside[t] = inputs > 0 ? 1 : 0;
  }

  /** Representative of x's group, or -1 when x has not been reached. */
  find(x: number): number {
    let p = this.parent[x]!;
    if (p < 0) return -1;
    while (p !== x) {
      x = p;
      p = this.parent[x]!;
    }
    return x;
  }

  size(rep: number): number {
    return this.count[rep]!;
  }

  /** Nothing outside group `reader` reads the root of group `rep`. */
  ownedBy(rep: number, reader: number): boolean {
    const r = this.root[rep]!;
    if (this.isOutput[r]) return false;
    const { dentStart, dentList } = this.g;
    for (let q = dentStart[r]!; q < dentStart[r + 1]!; q++) if (this.find(dentList[q]!) !== reader) return false;
    return true;
  }

  /**
   * Merges group `other` into group `into`; returns the new representative (the root stays
   * into's). `undoable` records what rollback() needs (chains are never rolled back).
   */
  absorb(into: number, other: number, undoable = true): number {
    const intoBigger = this.count[into]! >= this.count[other]!;
    const big = intoBigger ? into : other;
    const small = intoBigger ? other : into;
    // undo record: big, small, big's previous tail, root, height, entries, readsOutside
    if (undoable)
      this.undo.push(big, small, this.tail[big]!, this.root[big]!, this.height[big]!, this.entries[big]!, this.readsOutside[big]!);
    this.parent[small] = big;
    this.count[big] = this.count[big]! + this.count[small]!;
    this.next[this.tail[big]!] = this.head[small]!;
    this.tail[big] = this.tail[small]!;
    this.root[big] = this.root[into]!;
    this.height[big] = this.height[into]!;
    this.entries[big] = this.entries[into]!;
    this.readsOutside[big] = this.readsOutside[into]!;
    return big;
  }

  /** A point to roll back to. */
  mark(): number {
    return this.undo.length;
  }

  /** Undoes every absorb() since `mark`, newest first. */
  rollback(mark: number): void {
    const u = this.undo;
    while (u.length > mark) {
      const outside = u.pop()!,
        entries = u.pop()!,
        height = u.pop()!,
        root = u.pop()!,
        oldTail = u.pop()!,
        small = u.pop()!,
        big = u.pop()!;
      this.parent[small] = small;
      this.count[big] = this.count[big]! - this.count[small]!;
      this.next[oldTail] = -1;
      this.tail[big] = oldTail;
      this.root[big] = root;
      this.height[big] = height;
      this.entries[big] = entries;
      this.readsOutside[big] = outside;
    }
  }

  /** Forgets the undo records (the absorbs since the last mark are final). */
  commit(): void {
    if (this.undo.length > 0) this.undo.length = 0;
  }

  /** The members of group `rep`, in no particular order. */
  members(rep: number): number[] {
    const out: number[] = [];
    for (let m = this.head[rep]!; m !== -1; m = this.next[m]!) out.push(m);
    return out;
  }

  countEntries(rep: number): number {
    const { depStart, depList } = this.g;
    let entries = 0;
    for (let m = this.head[rep]!; m !== -1; m = this.next[m]!) {
      let inside = false;
      for (let q = depStart[m]!; q < depStart[m + 1]! && !inside; q++) inside = this.find(depList[q]!) === rep;
      if (!inside) entries += 1;
    }
    return entries;
  }

  computeReadsOutside(rep: number): number {
    const { depStart, depList } = this.g;
    for (let m = this.head[rep]!; m !== -1; m = this.next[m]!) {
      for (let q = depStart[m]!; q < depStart[m + 1]!; q++) if (this.find(depList[q]!) !== rep) return 1;
    }
    return 0;
  }

  /** Steps from member k up to the group's root, counting k (the root is level 1). */
  levelOf(k: number, rep: number, memo: Map<number, number>): number {
    if (k === this.root[rep]) return 1;
    const known = memo.get(k);
    if (known !== undefined) return known;
    const { dentStart, dentList } = this.g;
    let best = 0;
    for (let q = dentStart[k]!; q < dentStart[k + 1]!; q++) {
      const d = dentList[q]!;
      if (this.find(d) === rep) best = Math.max(best, this.levelOf(d, rep, memo));
    }
    memo.set(k, best + 1);
    return best + 1;
  }
}
