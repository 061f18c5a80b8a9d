/**
 * Graphs with structural sharing (Dask's HighLevelGraph): a Graph is its output layers; its
 * contents are every layer reachable from them. Building a graph from others copies nothing,
 * and the low-level task map is produced only when a computation needs it.
 */
import { ArgumentError } from "../errors.js";
import { checkTaskShape } from "./checks.js";
import { GraphError } from "./errors.js";
import type { Key } from "./keys.js";
import { checkLayers, type Layer, TaskLayer } from "./layers.js";
import type { Task } from "./task.js";

/** A low-level graph: every task by its key. */
export type TaskMap = ReadonlyMap<Key, Task>;

/**
 * A task graph as a set of output layers and everything they depend on, shared by reference (Dask's
 * HighLevelGraph). `compile(graph, outputs)` turns it into a Plan.
 */
export class Graph {
  private sorted: readonly Layer[] | undefined;

  constructor(readonly outputLayers: readonly Layer[]) {
    checkLayers(outputLayers, "outputLayers", "Graph"); // O(output layers)
  }

  /** The graph of several collections at once: their output layers, shared by reference. */
  static merge(...graphs: Graph[]): Graph {
    graphs.forEach((g, i) => {
      if (!(g instanceof Graph)) throw new ArgumentError("graphs", "graphs (Graph objects)", g, `Graph.merge, argument ${i}`);
    });
    return new Graph([...new Set(graphs.flatMap((g) => g.outputLayers))]);
  }

  /** Every layer, dependencies before dependents (the same Layer objects the collections hold). */
  layers(): readonly Layer[] {
    if (this.sorted) return this.sorted;
    const out: Layer[] = [];
    const state = new Map<Layer, 1 | 2>(); // 1: on the stack, 2: done
    const stack: [Layer, number][] = [];
    // Iterative DFS: graphs of thousands of chained layers must not overflow the call stack.
    for (const root of this.outputLayers) {
      if (state.get(root) === 2) continue;
      stack.length = 0;
      stack.push([root, 0]);
      state.set(root, 1);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const [layer, next] = top;
        if (next < layer.dependencies.length) {
          top[1] = next + 1;
          const dep = layer.dependencies[next]!;
          const s = state.get(dep);
          if (s === undefined) {
            state.set(dep, 1);
            stack.push([dep, 0]);
          }
          // s === 1 cannot happen: layers are immutable and only point at older layers
        } else {
          stack.pop();
          state.set(layer, 2);
          out.push(layer);
        }
      }
    }
    this.sorted = out;
    return out;
  }

  /** Materializes every task of every layer. Rejects a key defined twice. */
  tasks(): Map<Key, Task> {
    return layerTasks(this.layers());
  }

  /** The keys of the output layers' chunks. */
  outputKeys(): Key[] {
    return this.outputLayers.flatMap((l) => l.keys());
  }
}

/** Materializes the tasks of a list of layers. Rejects a key defined twice. */
export function layerTasks(layers: readonly Layer[]): Map<Key, Task> {
  const map = new Map<Key, Task>();
  for (const layer of layers) {
    // a TaskLayer's tasks are a program's (or array code's) own objects: their shape is checked
    // here, in the loop that reads them anyway; other layers make theirs from checked rules
    const given = layer instanceof TaskLayer;
    for (const t of layer.tasks()) {
      if (given) checkTaskShape(t);
      if (map.has(t.key)) throw GraphError.duplicate(t.key, `in layer ${layer.name} and another`);
      map.set(t.key, t);
    }
  }
  return map;
}
