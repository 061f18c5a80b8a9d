/**
 * Plans: a graph optimized once and run many times. compile() fuses and lays out the graph
 * into a CompiledPlan (src/graph/compile.ts); the Plan it returns adds the values of the
 * graph's input layers and the names of its keys. run() only executes: an iterative solver
 * compiles its loss/gradient graph once and re-runs the plan with new coefficients every
 * iteration.
 *
 * run() here is the synchronous executor (everything in the calling thread, in plan order);
 * the scheduler runs the same plan on worker threads.
 */
import { ArgumentError } from "../errors.js";
import { COMPILE_OPTIONS, compilePlan, inputValues, taskViews, type CompileOptions } from "../graph/compile.js";
import { keyOf, type CompiledPlan, type KeyNames, type PlanStats } from "../graph/compiled.js";
import { Graph, type TaskMap } from "../graph/graph.js";
import { formatKey, type Key } from "../graph/keys.js";
import type { Task } from "../graph/task.js";
import type { Kernels } from "../kernels/index.js";
import { Allocation } from "../memory/shared-memory.js";
import type { TaskEvent } from "../profile/events.js";
import { checkOptions } from "../validate.js";
import { MainThreadHooks } from "./main-thread-hooks.js";
import { runTask } from "./run-task.js";
import { taskError } from "./task-error.js";

/**
 * Options of `plan.run()`: kernels for context-aware ops, and a list that receives timing events.
 */
export interface RunOptions {
  /** Kernels passed to context-aware ops. */
  kernels?: Kernels;
  /** When given, one timing event per task is appended to it (for profiles). */
  events?: TaskEvent[];
}

/** Bindings for a plan's inputs: by key, or by formatted key ("w", "x[3]"). */
export type Bindings = ReadonlyMap<Key, unknown> | Readonly<Record<string, unknown>>;

/**
 * A compiled graph: fused tasks in run order with their dependencies as positions, ready to run
 * again and again with new input bindings (`plan.run(bindings)`, or `runtime.run(plan, bindings)`
 * on threads).
 */
export class Plan {
  /** Named input slots (compile()'s `inputs`), by formatted key: what run() must be given. */
  readonly inputs: ReadonlyMap<string, Key>;
  readonly outputs: readonly Key[];
  private taskViews: Task[] | undefined;

  /** @internal use compile() */
  constructor(
    /** The executable form. */
    readonly compiled: CompiledPlan,
    outputs: readonly Key[],
    /** Values of the inputs that input layers provide (by input index; explicit inputs: undefined). */
    private readonly defaults: readonly unknown[],
    /** The names of the keys of the graph this plan is for (a cached plan's may come from another graph). */
    readonly names: KeyNames = compiled.names,
  ) {
    this.outputs = [...outputs];
    const named = new Map<string, Key>();
    compiled.inputKeys.forEach((k, j) => {
      if (compiled.inputOrdinal[j]! < 0) named.set(formatKey(k), k); // explicit inputs: the plan's own keys
    });
    this.inputs = named;
  }

  /** Task counts after each step of compile(): what each pass removed. */
  get stats(): PlanStats {
    return this.compiled.stats;
  }

  /**
   * The fused tasks in run order, as Task objects (made on first use, for inspection: executors
   * run the compiled form). A task of several steps is a FusedTask.
   */
  get tasks(): readonly Task[] {
    this.taskViews ??= taskViews(this.compiled, this.names);
    return this.taskViews;
  }

  /**
   * Runs the plan in this thread with `bindings` for its inputs and returns the outputs' values
   * in the order of `outputs`. Results that are Allocations are freed after their last reader
   * (outputs and bound inputs are the caller's). Intermediates inside a fused task that ops
   * allocate with `context.alloc` live in scratch space, taken back when the task ends.
   *
   * This is the synchronous executor; a Runtime runs the same plan on worker threads.
   */
  run(bindings: Bindings = {}, options: RunOptions = {}): unknown[] {
    const plan = this.compiled;
    const n = plan.taskGroup.length;
    const values: unknown[] = new Array(n + plan.inputCount);
    const bound = new Set<unknown>();
    this.bind(bindings).forEach((v, j) => {
      values[n + j] = v;
      bound.add(v);
    });
    const release = (v: unknown, keep: unknown) => {
      if (v instanceof Allocation && v !== keep && !v.freed && !bound.has(v)) v.free();
    };
    const names = this.names;
    const hooks = new MainThreadHooks(options.kernels, release, undefined, (p) => keyOf(plan, p, names));
    const valueAt = (p: number) => values[p];
    const events = options.events;
    const { lastReadCut, lastReadFlat } = plan;
    try {
      for (let i = 0; i < n; i++) {
        const start = events ? performance.now() : 0;
        let result: unknown;
        try {
          result = runTask(plan, i, valueAt, hooks);
        } catch (error) {
          throw taskError(plan, i, error, names);
        }
        if (events)
          events.push({
            key: keyOf(plan, i, names),
            label: plan.groups[plan.taskGroup[i]!]!.label,
            lane: 0,
            start,
            end: performance.now(),
            bytes: plan.resultBytes[i]! >= 0 ? plan.resultBytes[i]! : undefined,
          });
        values[i] = result;
        for (let q = lastReadCut[i]!; q < lastReadCut[i + 1]!; q++) {
          const p = lastReadFlat[q]!;
          release(values[p], result);
          values[p] = undefined;
        }
      }
    } catch (error) {
      // Nothing is returned: every buffer this run made is released before the error goes up.
      for (const v of values) release(v, undefined);
      throw error;
    } finally {
      hooks.dispose();
    }
    return Array.from(plan.outputPositions, (p) => values[p]);
  }

  /**
   * The input values, by input index: from `bindings` for compile()'s `inputs` (throws
   * ArgumentError naming an input that has no value), from the graph for its input layers.
   */
  bind(bindings: Bindings): unknown[] {
    if (typeof bindings !== "object" || bindings === null || Array.isArray(bindings)) {
      throw new ArgumentError("bindings", "a Map from key to value, or an object by formatted key ({ w: ... })", bindings, "plan.run");
    }
    const plan = this.compiled;
    const out = this.defaults.slice();
    for (let j = 0; j < plan.inputCount; j++) {
      if (plan.inputOrdinal[j]! >= 0) continue;
      const k = plan.inputKeys[j]!;
      const name = formatKey(k);
      const has = bindings instanceof Map ? bindings.has(k) : Object.hasOwn(bindings, name);
      if (!has) throw new ArgumentError("bindings", `a value for input '${name}'`, "none", "plan.run");
      out[j] = bindings instanceof Map ? bindings.get(k) : (bindings as Record<string, unknown>)[name];
    }
    return out;
  }

  /** @internal What executors run. */
  layout(): CompiledPlan {
    return this.compiled;
  }

  /** Position (in `tasks`) of the last task reading each result; outputs are never released. */
  get lastReader(): ReadonlyMap<Key, number> {
    const plan = this.compiled;
    const map = new Map<Key, number>();
    for (let i = 0; i + 1 < plan.lastReadCut.length; i++) {
      for (let q = plan.lastReadCut[i]!; q < plan.lastReadCut[i + 1]!; q++) map.set(keyOf(plan, plan.lastReadFlat[q]!, this.names), i);
    }
    return map;
  }

  /** Size (when the task declared it) and last reader of every result the plan makes. */
  buffers(): Map<Key, { bytes: number | undefined; lastReader: number | undefined }> {
    const plan = this.compiled;
    const readers = this.lastReader;
    const out = new Map<Key, { bytes: number | undefined; lastReader: number | undefined }>();
    for (let i = 0; i < plan.taskGroup.length; i++) {
      const k = keyOf(plan, i, this.names);
      const b = plan.resultBytes[i]!;
      out.set(k, { bytes: b >= 0 ? b : undefined, lastReader: readers.get(k) });
    }
    return out;
  }
}

/**
 * Optimizes `graph` for `outputs` into a Plan. Rejects cycles, missing dependencies, unknown
 * ops and missing outputs with a GraphError naming the keys (duplicate keys are rejected when
 * a Graph is materialized or a GraphBuilder defines them).
 *
 * A graph of lazy layers (blockwise, tree reductions, input layers: what array operations
 * make) compiles without making its tasks, in O(layers) plus typed arrays of O(tasks). Other
 * graphs run the exported passes (cull, inlineConstants, fuse or fuseLinear, order) on one
 * dense index of the tasks. Input layers' chunks (persisted arrays, user data) become inputs
 * that the plan reads from the graph at each run, never part of the plan itself.
 */
export function compile(graph: Graph | TaskMap, outputs: readonly Key[], options: CompileOptions = {}): Plan {
  checkOptions(options, "compile", COMPILE_OPTIONS); // here, unlike a runtime's compute, nothing else belongs in options
  const compiled = compilePlan(graph, outputs, options);
  return new Plan(compiled, outputs, graph instanceof Graph ? inputValues(compiled, graph.layers()) : new Array(compiled.inputCount));
}
