/**
 * Facts about a task map that every pass needs: each task's dependencies and dependents, a
 * topological order, and the checks that make a graph runnable (no missing dependency, no
 * cycle, outputs present). Pure functions; nothing here changes a graph.
 */
import { GraphError } from "./errors.js";
import type { TaskMap } from "./graph.js";
import type { Key } from "./keys.js";
import { taskDependencies } from "./task.js";

/** Dependencies of a task map: each task's inputs and each task's dependents. */
export interface Dependencies {
  /** Keys each task reads. */
  readonly dependencies: ReadonlyMap<Key, readonly Key[]>;
  /** Tasks that read each key. */
  readonly dependents: ReadonlyMap<Key, readonly Key[]>;
}

/** Dependencies and dependents of every task; throws GraphError on a missing dependency. */
export function analyze(tasks: TaskMap): Dependencies {
  const dependencies = new Map<Key, readonly Key[]>();
  const dependents = new Map<Key, Key[]>();
  for (const k of tasks.keys()) dependents.set(k, []);
  for (const [k, t] of tasks) {
    const deps = taskDependencies(t);
    dependencies.set(k, deps);
    for (const d of deps) {
      const readers = dependents.get(d);
      if (!readers)
        throw GraphError.missing(
          k,
          deps.filter((x) => !tasks.has(x)),
        );
      readers.push(k);
    }
  }
  return { dependencies, dependents };
}

/** Throws GraphError unless every output key is in the graph. */
export function checkOutputs(tasks: TaskMap, outputs: readonly Key[]): void {
  const missing = outputs.filter((k) => !tasks.has(k));
  if (missing.length > 0) throw GraphError.missingOutput(missing);
}
