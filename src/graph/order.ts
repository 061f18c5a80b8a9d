/**
 * order: a run order that keeps few intermediate results alive. Like dask.order in spirit:
 * walk depth first from each output and run a task as soon as its inputs are done, so one
 * branch finishes (and its intermediates can be freed) before the next starts.
 */
import { checkOutputs } from "./analyze.js";
import type { TaskMap } from "./graph.js";
import { indexGraph, postOrder, topologicalIndices, type IndexedGraph } from "./indexed.js";
import type { Key } from "./keys.js";

/**
 * Priority of every task (0 runs first): a post-order depth-first walk from the outputs,
 * taking each task's dependencies in argument order. Tasks no output needs come last, in
 * topological order.
 *
 * @example order({a, b: inc(a), c: inc(b), d: inc(a), e: add(c, d)}, [e]) -> a 0, b 1, c 2, d 3, e 4
 */
export function order(tasks: TaskMap, outputs: readonly Key[] = []): Map<Key, number> {
  const { g, rank } = rankTasks(tasks, outputs);
  const priority = new Map<Key, number>();
  for (let j = 0; j < g.size; j++) priority.set(g.keys[j]!, rank[j]!);
  return priority;
}

/** The dense form of `tasks` and each task's rank in the run order (what order() reports). */
export function rankTasks(tasks: TaskMap, outputs: readonly Key[]): { g: IndexedGraph; rank: Int32Array } {
  checkOutputs(tasks, outputs);
  const g = indexGraph(tasks);
  const { size, depStart, depList } = g;
  const { rank, count } = postOrder(
    size,
    depStart,
    depList,
    outputs.map((k) => g.indexOf(k)),
  );
  let next = count;
  if (next < size) {
    for (const j of topologicalIndices(g)) if (rank[j] === -1) rank[j] = next++;
  }
  return { g, rank };
}
