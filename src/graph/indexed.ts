/**
 * A task map in dense form, for the passes' inner loops: task i's key, its dependencies and
 * dependents as index lists (CSR: the entries of task i sit in list[start[i] .. start[i+1])),
 * and a key -> index table that is a plain typed array when the graph's keys are dense (they
 * usually are: a layer's chunks have consecutive keys). With Maps and per-task arrays, the
 * passes' cost per task was dominated by allocation and hashing; here it is a few array reads.
 */
import { GraphError } from "./errors.js";
import type { TaskMap } from "./graph.js";
import type { Key } from "./keys.js";
import { taskDependencies, type Task } from "./task.js";

export interface IndexedGraph {
  /** Tasks with a dependency that is not in the graph (only with allowMissing; their edges are dropped). */
  readonly missing?: readonly number[];
  readonly size: number;
  readonly keys: Float64Array;
  readonly tasks: readonly Task[];
  readonly depStart: Int32Array;
  readonly depList: Int32Array;
  readonly dentStart: Int32Array;
  readonly dentList: Int32Array;
  /** Index of a key, or -1 if the graph has no such task. */
  indexOf(k: Key): number;
}

/**
 * The dense form of `map`. A dependency on a key the map lacks throws GraphError, unless
 * `allowMissing` (then the edge is dropped and the task listed in `missing`, so that a caller
 * can complain only if the task turns out to be needed).
 */
export function indexGraph(map: TaskMap, options: { allowMissing?: boolean } = {}): IndexedGraph {
  const size = map.size;
  const keys = new Float64Array(size);
  const tasks: Task[] = new Array(size);
  let min = Infinity;
  let max = -Infinity;
  let i = 0;
  for (const [k, t] of map) {
    keys[i] = k;
    tasks[i] = t;
    if (k < min) min = k;
    if (k > max) max = k;
    i++;
  }
  let indexOf: (k: Key) => number;
  const span = max - min + 1;
  // A dense table while it stays small next to the graph (keys come in per-layer blocks, so a
  // graph's keys are usually close together); a Map otherwise.
  if (size > 0 && Number.isInteger(min) && span <= 8 * size + 4096) {
    const table = new Int32Array(span).fill(-1);
    for (let j = 0; j < size; j++) table[keys[j]! - min] = j;
    indexOf = (k) => {
      const off = k - min;
      return off >= 0 && off < span ? table[off]! : -1;
    };
  } else {
    const table = new Map<Key, number>();
    for (let j = 0; j < size; j++) table.set(keys[j]!, j);
    indexOf = (k) => table.get(k) ?? -1;
  }
  const depStart = new Int32Array(size + 1);
  const depsOf: (readonly Key[])[] = new Array(size);
  for (let j = 0; j < size; j++) {
    const d = taskDependencies(tasks[j]!);
    depsOf[j] = d;
    depStart[j + 1] = depStart[j]! + d.length;
  }
  let edges = depStart[size]!;
  let depList = new Int32Array(edges);
  const dentCount = new Int32Array(size + 1);
  const missing: number[] = [];
  for (let j = 0; j < size; j++) {
    const d = depsOf[j]!;
    const at = depStart[j]!;
    for (let q = 0; q < d.length; q++) {
      const target = indexOf(d[q]!);
      if (target < 0) {
        if (!options.allowMissing)
          throw GraphError.missing(
            keys[j]!,
            d.filter((x) => indexOf(x) < 0),
          );
        if (missing[missing.length - 1] !== j) missing.push(j);
      }
      depList[at + q] = target;
      if (target >= 0) dentCount[target + 1]! += 1;
    }
  }
  if (missing.length > 0) {
    // drop the dangling edges: rebuild depStart/depList without them
    const kept = new Int32Array(edges);
    let w = 0;
    for (let j = 0; j < size; j++) {
      const from = depStart[j]!,
        to = depStart[j + 1]!;
      depStart[j] = w;
      for (let q = from; q < to; q++) if (depList[q]! >= 0) kept[w++] = depList[q]!;
    }
    depStart[size] = w;
    edges = w;
    depList = kept.slice(0, w);
  }
  const dentStart = new Int32Array(size + 1);
  for (let j = 0; j < size; j++) dentStart[j + 1] = dentStart[j]! + dentCount[j + 1]!;
  const dentList = new Int32Array(edges);
  const fill = dentStart.slice(0, size);
  for (let j = 0; j < size; j++) {
    for (let q = depStart[j]!; q < depStart[j + 1]!; q++) {
      const target = depList[q]!;
      dentList[fill[target]!++] = j;
    }
  }
  return { size, keys, tasks, depStart, depList, dentStart, dentList, indexOf, missing };
}

/**
 * Task indices in an order where each comes after its dependencies (Kahn's algorithm, ties in
 * map order). Throws GraphError naming the tasks on a cycle.
 */
export function topologicalIndices(g: IndexedGraph): Int32Array {
  const { size, depStart, dentStart, dentList } = g;
  const waiting = new Int32Array(size);
  const order = new Int32Array(size);
  let tail = 0;
  for (let j = 0; j < size; j++) {
    waiting[j] = depStart[j + 1]! - depStart[j]!;
    if (waiting[j] === 0) order[tail++] = j;
  }
  for (let head = 0; head < tail; head++) {
    const j = order[head]!;
    for (let q = dentStart[j]!; q < dentStart[j + 1]!; q++) {
      const d = dentList[q]!;
      if (--waiting[d]! === 0) order[tail++] = d;
    }
  }
  if (tail < size) throw GraphError.cycle(cycleKeys(g, waiting));
  return order;
}

/** One cycle among the tasks still waiting, as keys. */
function cycleKeys(g: IndexedGraph, waiting: Int32Array): Key[] {
  let j = waiting.findIndex((w) => w > 0);
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  // Every waiting task has a waiting dependency: following those must revisit a task.
  while (!seenAt.has(j)) {
    seenAt.set(j, path.length);
    path.push(j);
    for (let q = g.depStart[j]!; q < g.depStart[j + 1]!; q++) {
      if (waiting[g.depList[q]!]! > 0) {
        j = g.depList[q]!;
        break;
      }
    }
  }
  return path
    .slice(seenAt.get(j)!)
    .reverse()
    .map((x) => g.keys[x]!);
}

/** Marks every task that the tasks in `roots` (indices) depend on, the roots included. */
export function reachable(g: IndexedGraph, roots: readonly number[]): Uint8Array {
  const seen = new Uint8Array(g.size);
  const stack = new Int32Array(g.size);
  let top = 0;
  for (const r of roots) {
    if (!seen[r]) {
      seen[r] = 1;
      stack[top++] = r;
    }
  }
  while (top > 0) {
    const j = stack[--top]!;
    for (let q = g.depStart[j]!; q < g.depStart[j + 1]!; q++) {
      const d = g.depList[q]!;
      if (!seen[d]) {
        seen[d] = 1;
        stack[top++] = d;
      }
    }
  }
  return seen;
}

/** The tasks marked in `keep`, renumbered densely, with edges among them (the culled graph). */
export function subgraph(g: IndexedGraph, keep: Uint8Array): IndexedGraph {
  const newIndex = new Int32Array(g.size).fill(-1);
  let size = 0;
  for (let j = 0; j < g.size; j++) if (keep[j]) newIndex[j] = size++;
  if (size === g.size) return g;
  const keys = new Float64Array(size);
  const tasks: Task[] = new Array(size);
  const depStart = new Int32Array(size + 1);
  const dentStart = new Int32Array(size + 1);
  let deps = 0;
  let dents = 0;
  for (let j = 0; j < g.size; j++) {
    const i = newIndex[j]!;
    if (i < 0) continue;
    keys[i] = g.keys[j]!;
    tasks[i] = g.tasks[j]!;
    deps += g.depStart[j + 1]! - g.depStart[j]!; // a kept task's dependencies are all kept
    for (let q = g.dentStart[j]!; q < g.dentStart[j + 1]!; q++) if (keep[g.dentList[q]!]) dents++;
    depStart[i + 1] = deps;
    dentStart[i + 1] = dents;
  }
  const depList = new Int32Array(deps);
  const dentList = new Int32Array(dents);
  for (let j = 0; j < g.size; j++) {
    const i = newIndex[j]!;
    if (i < 0) continue;
    let a = depStart[i]!;
    for (let q = g.depStart[j]!; q < g.depStart[j + 1]!; q++) depList[a++] = newIndex[g.depList[q]!]!;
    let b = dentStart[i]!;
    for (let q = g.dentStart[j]!; q < g.dentStart[j + 1]!; q++) {
      const d = newIndex[g.dentList[q]!]!;
      if (d >= 0) dentList[b++] = d;
    }
  }
  const parentIndexOf = g.indexOf;
  const indexOf = (k: Key) => {
    const j = parentIndexOf(k);
    return j < 0 ? -1 : newIndex[j]!;
  };
  return { size, keys, tasks, depStart, depList, dentStart, dentList, indexOf };
}

/**
 * Ranks in a post-order depth-first walk from each root in turn (dependencies in list order, each
 * task once): what order() and compile's run order are. Entries of `depList` at or above `size`
 * (plan inputs) are not tasks and are passed over. Iterative: chains of thousands of tasks must
 * not overflow the call stack. Tasks no root reaches keep rank -1; returns the ranks and how many
 * were ranked.
 *
 * @example postOrder(3, [0, 0, 1, 2], [0, 1], [2]) -> ranks [0, 1, 2] (2 reads 1, 1 reads 0)
 */
export function postOrder(
  size: number,
  depStart: Int32Array,
  depList: Int32Array,
  roots: Iterable<number>,
): { rank: Int32Array; count: number } {
  const rank = new Int32Array(size).fill(-1);
  const stackTask = new Int32Array(size + 1);
  const stackNext = new Int32Array(size + 1);
  const onStack = new Uint8Array(size);
  let next = 0;
  for (const root of roots) {
    if (root < 0 || root >= size || rank[root] !== -1) continue;
    let top = 0;
    stackTask[0] = root;
    stackNext[0] = depStart[root]!;
    onStack[root] = 1;
    while (top >= 0) {
      const j = stackTask[top]!;
      const q = stackNext[top]!;
      if (q < depStart[j + 1]!) {
        stackNext[top] = q + 1;
        const dep = depList[q]!;
        if (dep < size && rank[dep] === -1 && !onStack[dep]) {
          top++;
          stackTask[top] = dep;
          stackNext[top] = depStart[dep]!;
          onStack[dep] = 1;
        }
      } else {
        rank[j] = next++;
        onStack[j] = 0;
        top--;
      }
    }
  }
  return { rank, count: next };
}
