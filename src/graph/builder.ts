/**
 * The generic task API, for work that is not arrays (Dask's dict graphs and delayed): name
 * tasks over registered ops, then compute.
 *
 * ```ts
 * registerOp("f", (w) => w + 1);
 * registerOp("g", (x) => 2 * x);
 * registerOp("h", (y) => y - 3);
 * const b = new GraphBuilder();
 * const w = b.value("w", 1);
 * const x = b.task("x", "f", w);
 * const y = b.task("y", "g", x);
 * const z = b.task("z", "h", y);
 * const [result] = await compute(b.graph(), [z.key]);   // 1, f -> 2, g -> 4, h -> 1
 * ```
 */
import { ArgumentError } from "../errors.js";
import { GraphError } from "./errors.js";
import { Graph } from "./graph.js";
import { key as makeKey, uniqueName, type Key } from "./keys.js";
import { TaskLayer } from "./layers.js";
import { CONST, INPUT } from "./ops.js";
import { Ref, task, type Task } from "./task.js";

/** Builds a task graph by name: `b.input(name)`, `b.task(name, op, ...args)`, then `b.graph()`. */
export class GraphBuilder {
  private readonly tasks = new Map<Key, Task>();

  /** A task `name` that computes op(...args); args may be refs returned by earlier calls. */
  task(name: string | Key, op: string, ...args: unknown[]): Ref {
    if (typeof op !== "string" || op.length === 0) throw new ArgumentError("op", "the name of a registered op", op, "GraphBuilder.task");
    return this.add(task(this.keyOf(name), op, ...args));
  }

  /** A task whose result is `value` (inlined into its readers by compile()). */
  value(name: string | Key, value: unknown): Ref {
    return this.add(task(this.keyOf(name), CONST, value));
  }

  /** A placeholder whose value a plan's bindings supply (list it in compile's `inputs`). */
  input(name: string | Key): Ref {
    const k = this.keyOf(name);
    return this.add(task(k, INPUT, name));
  }

  /** The graph of every task defined so far (one layer, shared, not copied). */
  graph(): Graph {
    return new Graph([new TaskLayer(uniqueName("tasks"), [...this.tasks.values()])]);
  }

  private keyOf(name: string | Key): Key {
    return typeof name === "number" ? name : makeKey(name);
  }

  private add(t: Task): Ref {
    if (this.tasks.has(t.key)) throw GraphError.duplicate(t.key, "GraphBuilder");
    this.tasks.set(t.key, t);
    return new Ref(t.key);
  }
}
