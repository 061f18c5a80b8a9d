/**
 * TaskLayer: a layer given as its explicit tasks, for graphs built by hand or ops with no lazy
 * rule. Its structure writes every task out, so it costs O(tasks) where a lazy layer's is O(1).
 */
import { ArgumentError } from "../errors.js";
import type { Key } from "./keys.js";
import { checkLayers, Layer } from "./layer.js";
import { fingerprint, VOLATILE } from "./structure.js";
import type { Task } from "./task.js";

/** A layer given as explicit tasks (Dask's MaterializedLayer). */
export class TaskLayer extends Layer {
  private readonly taskList: readonly Task[];

  constructor(name: string, tasks: readonly Task[], dependencies: readonly Layer[] = []) {
    // O(dependencies): the tasks themselves are checked when the graph is materialized (layerTasks)
    if (!Array.isArray(tasks)) throw new ArgumentError("tasks", "a list of tasks (from task())", tasks, `TaskLayer ${String(name)}`);
    checkLayers(dependencies, "dependencies", `TaskLayer ${String(name)}`);
    super(name, dependencies);
    this.taskList = tasks;
  }

  get size(): number {
    return this.taskList.length;
  }

  override keys(): Key[] {
    return this.taskList.map((t) => t.key);
  }

  private positions: Map<Key, number> | undefined;

  /** Position of each task's key in the list. */
  private positionOf(k: Key): number | undefined {
    this.positions ??= new Map(this.taskList.map((t, i) => [t.key, i]));
    return this.positions.get(k);
  }

  override hasKey(k: Key): boolean {
    return this.positionOf(k) !== undefined;
  }

  override indexOfKey(k: Key): number | undefined {
    return this.positionOf(k);
  }

  override keyAt(i: number): Key {
    const t = this.taskList[i];
    if (!t) throw new ArgumentError("i", `an index below ${this.taskList.length}`, i, `layer ${this.name}`);
    return t.key;
  }

  tasks(): Iterable<Task> {
    return this.taskList;
  }

  /**
   * Every task written out (O(tasks): explicit tasks have no shorter description), with refs
   * to its own tasks by position, to a dependency's chunks by (dependency, chunk), and to any
   * other key as the key itself.
   */
  protected describe(): string {
    // a ref by the position of what it reads: its own task's, or a dependency's output (its
    // position in that layer's list); a key none of them makes cannot be told apart from
    // another graph's, and makes the graph one never cached
    const refToken = (r: { key: Key }): string => {
      const own = this.positionOf(r.key);
      if (own !== undefined) return `s${own}`;
      for (let d = 0; d < this.dependencies.length; d++) {
        const at = this.dependencies[d]!.indexOfKey(r.key);
        if (at !== undefined) return `d${d}:${at}`;
      }
      return VOLATILE;
    };
    let out = `M${this.taskList.length}{`;
    for (const t of this.taskList) {
      out += `${JSON.stringify(t.op)}(${fingerprint(t.args, refToken)})`;
      if (t.bytes !== undefined) out += `b${t.bytes}`;
      if (t.gather) out += "g";
      if (t.resources) out += `r${JSON.stringify(t.resources)}`;
      if ("steps" in t) out += VOLATILE; // a fused task made by hand: its steps are not described
      out += ";";
    }
    return `${out}}`;
  }
}
