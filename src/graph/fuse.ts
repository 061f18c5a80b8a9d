/**
 * Task fusion: fewer, fatter tasks, so the scheduler has less to think about.
 *
 * Both passes work bottom up, in topological order. Every task starts a group; a task then
 * absorbs the groups of its dependencies whose results nothing else reads (their root's only
 * reader is this task), and, once it holds every reader of some other group's root, that
 * group too (this closes diamonds: in `exp(x) - 1/x` the subtraction absorbs exp and 1/x, and
 * then x, whose two readers it now holds). A group is absorbed whole or not at all, and only
 * when nothing outside reads its root: a task shared by consumers in different groups is never
 * copied into both, so nothing is computed twice. Each group becomes one fused task with its
 * root's key; outputs are never absorbed, so they keep their keys.
 *
 * - fuseLinear absorbs chains only: `z = h(g(f(w)))` becomes one task.
 * - fuse also absorbs fan-ins (several independent groups into one task, as in a reduction
 *   tree) within knobs modelled on Dask's:
 *     aveWidth          most steps per level of height in a fused task: Dask's measure of how
 *                       much parallel work one task serializes
 *     maxWidth          most independent entry steps (steps with no input inside the task)
 *     maxHeight         longest chain of steps in a fused task
 *     maxDepthNewEdges  tallest absorbed branch that still reads from outside: deeper new
 *                       inputs would hold the whole task back waiting for them
 *   A fan-in is judged after its diamonds close: when every step of the fused task then
 *   descends from a single entry step (as in `exp(x) - 1/x`, all from x), it serializes no
 *   independent work and is accepted whatever the knobs; chains are limited by maxHeight alone.
 *
 * The passes run on the dense form of the graph (indexed.ts): typed arrays, not Maps.
 */
import { checkOutputs } from "./analyze.js";
import type { TaskMap } from "./graph.js";
import { indexGraph, topologicalIndices, type IndexedGraph } from "./indexed.js";
import type { Key } from "./keys.js";
import { FUSED, stepsOf, type FusedTask, type Task } from "./task.js";

export interface FuseOptions {
  aveWidth?: number;
  maxWidth?: number;
  maxHeight?: number;
  maxDepthNewEdges?: number;
}

/**
 * Defaults, checked with `weft bench graph`: Dask's defaults scaled to aveWidth = 2 (maxWidth
 * 1.5 + aveWidth * ln(aveWidth + 1), maxDepthNewEdges 1.5 * aveWidth). The seed expression
 * `sum(exp(x) - 1/x)` then fuses to one task per chunk plus the reduction's few tasks.
 */
export const DEFAULT_FUSE_OPTIONS: Required<FuseOptions> = {
  aveWidth: 2,
  maxWidth: Math.floor(1.5 + 2 * Math.log(3)),
  maxHeight: Infinity,
  maxDepthNewEdges: 3,
};

/** What a fan-in would make of the group: the test a fusion rule applies. */
export interface FanIn {
  /** Number of independent groups absorbed at once. */
  readonly branches: number;
  /** Entry steps (no input inside the fused task) once diamonds are closed. */
  readonly width: number;
  readonly height: number;
  readonly size: number;
  /** Height of the tallest absorbed branch that reads from outside (0 if none does). */
  readonly deepestNewEdge: number;
}

interface Rules {
  /** May a task absorb these independent groups at once (a fan-in)? Absent: never. */
  fanIn: ((f: FanIn) => boolean) | undefined;
  maxHeight: number;
  /** Whether to close diamonds (absorb a group once all its root's readers are inside). */
  closeDiamonds: boolean;
  /** Whether a task with several dependencies may absorb one of them (fuseLinear says no). */
  partialInputs: boolean;
}

/** Groups over a dense graph: group id = index of its root task. */
class Groups {
  readonly groupOf: Int32Array;
  readonly members: number[][];
  readonly height: Int32Array;
  readonly entries: Int32Array;
  readonly readsOutside: Uint8Array;

  constructor(private readonly g: IndexedGraph, private readonly isOutput: Uint8Array) {
    const n = g.size;
    this.groupOf = new Int32Array(n).fill(-1); // -1: not reached yet (never the same as a group)
    this.members = new Array(n);
    this.height = new Int32Array(n);
    this.entries = new Int32Array(n);
    this.readsOutside = new Uint8Array(n);
  }

  start(t: number): void {
    const inputs = this.g.depStart[t + 1]! - this.g.depStart[t]!;
    this.groupOf[t] = t;
    this.members[t] = [t];
    this.height[t] = 1;
    this.entries[t] = inputs === 0 ? 1 : 0;
    this.readsOutside[t] = inputs > 0 ? 1 : 0;
  }

  /** Nothing outside group `reader` reads the root of group `root`. */
  ownedBy(root: number, reader: number): boolean {
    if (this.isOutput[root]) return false;
    const { dentStart, dentList } = this.g;
    for (let q = dentStart[root]!; q < dentStart[root + 1]!; q++) if (this.groupOf[dentList[q]!] !== reader) return false;
    return true;
  }

  absorb(into: number, group: number): void {
    const target = this.members[into]!;
    for (const m of this.members[group]!) {
      target.push(m);
      this.groupOf[m] = into;
    }
  }

  /** Undo absorb(): the members of `group` belong to it again. */
  release(group: number): void {
    for (const m of this.members[group]!) this.groupOf[m] = group;
  }

  countEntries(root: number): number {
    const { depStart, depList } = this.g;
    let count = 0;
    for (const m of this.members[root]!) {
      let inside = false;
      for (let q = depStart[m]!; q < depStart[m + 1]!; q++) if (this.groupOf[depList[q]!] === root) inside = true;
      if (!inside) count += 1;
    }
    return count;
  }

  computeReadsOutside(root: number): number {
    const { depStart, depList } = this.g;
    for (const m of this.members[root]!) {
      for (let q = depStart[m]!; q < depStart[m + 1]!; q++) if (this.groupOf[depList[q]!] !== root) return 1;
    }
    return 0;
  }

  /** Steps from member k up to the root of its group, counting k (the root is level 1). */
  levelOf(k: number, root: number, memo: Map<number, number>): number {
    if (k === root) return 1;
    const known = memo.get(k);
    if (known !== undefined) return known;
    const { dentStart, dentList } = this.g;
    let best = 0;
    for (let q = dentStart[k]!; q < dentStart[k + 1]!; q++) {
      const d = dentList[q]!;
      if (this.groupOf[d] === root) best = Math.max(best, this.levelOf(d, root, memo));
    }
    memo.set(k, best + 1);
    return best + 1;
  }
}

function fuseWith(tasks: TaskMap, outputs: readonly Key[], rules: Rules): Map<Key, Task> {
  checkOutputs(tasks, outputs);
  const g = indexGraph(tasks);
  const order = topologicalIndices(g);
  const n = g.size;
  const { depStart, depList, keys } = g;
  const isOutput = new Uint8Array(n);
  for (const k of outputs) isOutput[g.indexOf(k)] = 1;
  const groups = new Groups(g, isOutput);
  const { groupOf, members, height, entries, readsOutside } = groups;

  /** Absorbs every group whose root only `root`'s group reads, repeatedly (diamonds close). */
  const closeDiamonds = (root: number, absorbed: number[]) => {
    const memo = new Map<number, number>();
    let frontier = members[root]!.slice(1);
    while (frontier.length > 0) {
      const added: number[] = [];
      for (const m of frontier) {
        for (let q = depStart[m]!; q < depStart[m + 1]!; q++) {
          const other = groupOf[depList[q]!]!;
          if (other === root || !groups.ownedBy(other, root)) continue;
          // the absorbed group hangs below the deepest member that reads its root
          let level = 0;
          for (let r = g.dentStart[other]!; r < g.dentStart[other + 1]!; r++) {
            level = Math.max(level, groups.levelOf(g.dentList[r]!, root, memo));
          }
          const h = height[other]! + level;
          if (h > rules.maxHeight) continue;
          groups.absorb(root, other);
          absorbed.push(other);
          for (const k of members[other]!) added.push(k);
          height[root] = Math.max(height[root]!, h);
        }
      }
      frontier = added;
    }
  };

  const candidates: number[] = [];
  for (let p = 0; p < n; p++) {
    const t = order[p]!;
    groups.start(t);
    const first = depStart[t]!;
    const last = depStart[t + 1]!;
    if (first === last) continue;
    // The groups of t's inputs that nobody else reads.
    candidates.length = 0;
    for (let q = first; q < last; q++) {
      const other = groupOf[depList[q]!]!;
      let seen = false;
      for (let c = first; c < q; c++) if (groupOf[depList[c]!] === other) seen = true;
      if (seen) continue;
      if (height[other]! + 1 <= rules.maxHeight && groups.ownedBy(other, t)) candidates.push(other);
    }
    if (candidates.length === 0) continue;
    if (candidates.length === 1) {
      const other = candidates[0]!;
      const chain = last - first === 1;
      if (!chain && !rules.partialInputs) continue;
      groups.absorb(t, other);
      height[t] = height[other]! + 1;
      if (chain) {
        // a chain link: t reads nothing else, so no other group can have become t's alone
        entries[t] = entries[other]!;
        readsOutside[t] = readsOutside[other]!;
        continue;
      }
      if (rules.closeDiamonds) closeDiamonds(t, [other]);
      entries[t] = groups.countEntries(t);
      readsOutside[t] = groups.computeReadsOutside(t);
      continue;
    }
    if (!rules.fanIn && !rules.closeDiamonds) continue;
    // Several independent inputs: absorb tentatively, close diamonds, then judge the fan-in.
    const absorbed: number[] = [];
    let deepestNewEdge = 0;
    for (const other of candidates) {
      if (readsOutside[other]) deepestNewEdge = Math.max(deepestNewEdge, height[other]!);
      groups.absorb(t, other);
      absorbed.push(other);
      height[t] = Math.max(height[t]!, height[other]! + 1);
    }
    if (rules.closeDiamonds) closeDiamonds(t, absorbed);
    entries[t] = groups.countEntries(t);
    if (entries[t]! > 1) {
      // Independent branches remain: a real fan-in, which the knobs must allow.
      const fanIn: FanIn = { branches: candidates.length, width: entries[t]!, height: height[t]!, size: members[t]!.length, deepestNewEdge };
      if (!rules.fanIn || !rules.fanIn(fanIn)) {
        for (const other of absorbed) groups.release(other);
        members[t]!.length = 1;
        height[t] = 1;
        entries[t] = 0;
        continue;
      }
    }
    readsOutside[t] = groups.computeReadsOutside(t);
  }

  const position = new Int32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  const fused = new Map<Key, Task>();
  for (let p = 0; p < n; p++) {
    const root = order[p]!;
    if (groupOf[root] !== root) continue;
    const list = members[root]!;
    if (list.length === 1) {
      fused.set(keys[root]!, g.tasks[root]!);
      continue;
    }
    const sorted = list.length === 2 ? [list[1]!, list[0]!] : list.slice().sort((a, b) => position[a]! - position[b]!);
    const steps: Task[] = [];
    const external = new Set<Key>();
    for (const m of sorted) {
      for (const s of stepsOf(g.tasks[m]!)) steps.push(s);
      for (let q = depStart[m]!; q < depStart[m + 1]!; q++) {
        const d = depList[q]!;
        if (groupOf[d] !== root) external.add(keys[d]!);
      }
    }
    const t: FusedTask = { key: keys[root]!, op: FUSED, args: [], steps, deps: [...external] };
    fused.set(keys[root]!, t);
  }
  return fused;
}

/**
 * Fuses linear chains: `z = h(g(f(w)))` becomes one task with z's key.
 *
 * @example fuseLinear({w, x: f(w), y: g(x), z: h(y)}, [z]) -> {z: fused[w, x, y, z]}
 */
export function fuseLinear(tasks: TaskMap, outputs: readonly Key[]): Map<Key, Task> {
  return fuseWith(tasks, outputs, { fanIn: undefined, maxHeight: Infinity, closeDiamonds: false, partialInputs: false });
}

/**
 * Aggressive, non-linear fusion of chains, diamonds and fan-ins within the knobs above.
 *
 * @example fuse({x, e: exp(x), r: reciprocal(x), s: sub(e, r)}, [s]) -> {s: fused[x, e, r, s]}
 */
export function fuse(tasks: TaskMap, outputs: readonly Key[], options: FuseOptions = {}): Map<Key, Task> {
  const o = { ...DEFAULT_FUSE_OPTIONS, ...options };
  return fuseWith(tasks, outputs, {
    maxHeight: o.maxHeight,
    closeDiamonds: true,
    partialInputs: true,
    fanIn: (f) =>
      f.width <= o.maxWidth && f.size / f.height <= o.aveWidth && f.height <= o.maxHeight && f.deepestNewEdge <= o.maxDepthNewEdges,
  });
}
