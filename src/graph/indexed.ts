/**
 * A task map in dense form, for the passes' inner loops: task i's key, its dependencies and
 * dependents as index lists (CSR: the entries of task i sit in list[start[i] .. start[i+1])),
 * and a key -> index table that is a plain typed array when the graph's keys are dense (they
 * usually are: a layer's chunks have consecutive keys). Maps and per-task arrays made the
 * passes cost microseconds per task; this form costs tens of nanoseconds.
 */
import { GraphError } from "./errors.js";
import type { TaskMap } from "./graph.js";
import type { Key } from "./keys.js";
import { taskDependencies, type Task } from "./task.js";

export interface IndexedGraph {
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

export function indexGraph(map: TaskMap): IndexedGraph {
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
  if (size > 0 && Number.isInteger(min) && span <= 4 * size + 1024) {
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
  const edges = depStart[size]!;
  const depList = new Int32Array(edges);
  const dentCount = new Int32Array(size + 1);
  for (let j = 0; j < size; j++) {
    const d = depsOf[j]!;
    const at = depStart[j]!;
    for (let q = 0; q < d.length; q++) {
      const target = indexOf(d[q]!);
      if (target < 0) throw GraphError.missing(keys[j]!, d.filter((x) => indexOf(x) < 0));
      depList[at + q] = target;
      dentCount[target + 1]! += 1;
    }
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
  return { size, keys, tasks, depStart, depList, dentStart, dentList, indexOf };
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
  return path.slice(seenAt.get(j)!).reverse().map((x) => g.keys[x]!);
}
