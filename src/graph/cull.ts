/** cull: keep only the tasks the outputs need. */
import { checkOutputs } from "./analyze.js";
import type { TaskMap } from "./graph.js";
import type { Key } from "./keys.js";
import { taskDependencies, type Task } from "./task.js";

/**
 * The sub-graph of `tasks` that `outputs` depend on (the outputs included).
 *
 * @example cull({a, b: inc(a), c: inc(a)}, [b]) -> {a, b}
 */
export function cull(tasks: TaskMap, outputs: readonly Key[]): Map<Key, Task> {
  checkOutputs(tasks, outputs);
  const kept = new Map<Key, Task>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (kept.has(k)) continue;
    const t = tasks.get(k);
    if (!t) continue; // a missing dependency: reported by analyze() when the graph is compiled
    kept.set(k, t);
    for (const d of taskDependencies(t)) if (!kept.has(d)) stack.push(d);
  }
  return kept;
}
